"""Loss surfaces for plotting: contour grids over a pair of parameters, and the stability bound."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .problems import Problem

#: The most work a landscape grid may cost (units of MAX_PASS_WORK; about 2 s): each grid point is a full pass
#: over the data, so a large problem gets a coarser grid rather than minutes of computing.
GRID_WORK = 2e10
#: The most work evaluated between two questions "cancelled?" while a grid is computed (0.5 % of GRID_WORK: some
#: 10-20 ms): a window closed while a large surface is under way waits no longer than that. No slower: lesson 21's
#: 80x80 slice took 301 ms in such pieces, 449 ms in one (the network's pieces of 256 points; smaller ones fit
#: the cache).
CANCEL_WORK = 1e8
MIN_RESOLUTION = 5
#: The farthest from 0 a plotted range reaches, in parameter units: a start beyond it is framed at this edge and
#: marked as off the plot. pyqtgraph measures a pixel of the view from products of two coordinates: beyond
#: about 1e154 they overflow and the view loses its pixel size (NaN or 0: no off-view arrows, no hover); this
#: keeps every width and grid spacing, and their squares, finite numbers.
PLOT_LIMIT = 1e150
#: A grid is a picture: a loss that overflows is inf (drawn as the highest), one that is undefined NaN - no
#: warning; the trainer says what a run's own overflow means (it diverged).
_QUIET = {"over": "ignore", "invalid": "ignore", "divide": "ignore"}


def affordable_resolution(problem: Problem, wanted: int) -> int:
    """Points per side of a grid over ``problem``'s landscape: ``wanted``, or fewer so that resolution² passes
    cost at most :data:`GRID_WORK` (never below :data:`MIN_RESOLUTION`)."""
    return int(max(MIN_RESOLUTION, min(wanted, math.isqrt(int(GRID_WORK // max(problem.pass_work, 1.0))))))


def _grid_loss(problem: Problem, points: np.ndarray, cancelled: Callable[[], bool]) -> np.ndarray | None:
    """``problem.grid_loss(points)``, in pieces of at most :data:`CANCEL_WORK` (one piece where the whole costs no
    more), ``cancelled()`` asked before each: None as soon as it is true."""
    flat = points.reshape(-1, problem.n_params)
    piece = max(1, int(CANCEL_WORK // max(problem.pass_work, 1.0)))
    if len(flat) <= piece:
        return None if cancelled() else problem.grid_loss(points)
    parts = []
    for start in range(0, len(flat), piece):
        if cancelled():
            return None
        parts.append(problem.grid_loss(flat[start:start + piece]))
    return np.concatenate(parts).reshape(points.shape[:-1])


def loss_grid(problem: Problem, x_range, y_range, resolution: int = 120, pair=(0, 1), anchor=None,
              cancelled: Callable[[], bool] = lambda: False):
    """The full loss on a resolution x resolution grid over two parameters, the others held at ``anchor``.

    Returns ``(xs, ys, Z)`` with ``Z[i, j]`` the loss at parameter ``pair[0] = xs[j]``, ``pair[1] = ys[i]``; None
    if ``cancelled()`` turned true (asked every :data:`CANCEL_WORK` of work: off the window's thread).
    Linear regression evaluates it from sufficient statistics: O(d^2) per point, whatever the dataset size.
    """
    xs = np.linspace(*x_range, resolution)
    ys = np.linspace(*y_range, resolution)
    base = problem.default_init if anchor is None else np.asarray(anchor, dtype=float)
    points = np.broadcast_to(base, (resolution, resolution, problem.n_params)).copy()
    points[:, :, pair[0]] = xs[None, :]
    points[:, :, pair[1]] = ys[:, None]
    with np.errstate(**_QUIET):
        Z = _grid_loss(problem, points, cancelled)
    return None if Z is None else (xs, ys, Z)


def framing_bounds(bounds: np.ndarray, starts: np.ndarray, margin: float = 0.1) -> np.ndarray:
    """The plotting range per parameter: the problem's ``bounds`` (d, 2), widened where a start point (a row of
    ``starts``, (k, d)) lies outside them, by ``margin`` times the widened width beyond it - a run's start
    (a lesson's, or a config's ``init``) is always on the plot, never only the path coming in from its edge -
    up to :data:`PLOT_LIMIT`: a start farther out is framed at that edge (its loss is one no plot can show)."""
    low, high = bounds[:, 0].astype(float), bounds[:, 1].astype(float)
    with np.errstate(invalid="ignore"):
        finite = starts[np.isfinite(starts).all(axis=1)] if len(starts) else starts
    if not len(finite):
        return np.column_stack([low, high])
    finite = np.clip(finite, -PLOT_LIMIT, PLOT_LIMIT)
    first, last = np.minimum(low, finite.min(axis=0)), np.maximum(high, finite.max(axis=0))
    room = margin * (last - first)
    framed = np.column_stack([np.where(first < low, first - room, low), np.where(last > high, last + room, high)])
    return np.clip(framed, -PLOT_LIMIT, PLOT_LIMIT)


def slice_minimum(problem: Problem, pair: tuple[int, int], anchor: np.ndarray) -> np.ndarray | None:
    """Where the contours of the slice through ``anchor`` close: the minimiser of the loss over the parameters
    ``pair`` = p, the others (o) held at ``anchor`` - for a quadratic loss with minimum θ* and Hessian H,
    θ*_p − H_pp⁻¹·H_po·(anchor_o − θ*_o) - as a parameter vector (``anchor`` with the pair replaced). For more
    than two parameters it is not θ*'s pair: a degree-9 fit's slice through its start closes at w = (2.2, 0.6),
    its θ* lies at (−2.4, −1.9). None where the loss is not quadratic with a known minimum, or the slice has no
    single minimum (H_pp singular)."""
    if not (problem.can("stability_bound") and problem.can("known_minimum") and problem.can("hessian")):
        return None
    anchor = np.asarray(anchor, dtype=float)
    if not np.isfinite(anchor).all():
        return None
    p = list(pair)
    others = [k for k in range(problem.n_params) if k not in p]
    best = problem.minima[0]
    H = problem.hessian(best)
    block = H[np.ix_(p, p)]
    if np.linalg.cond(block) > 1e12:
        return None
    closes = anchor.copy()
    closes[p] = best[p] - np.linalg.solve(block, H[np.ix_(p, others)] @ (anchor[others] - best[others]))
    return closes if np.isfinite(closes).all() else None


def stability_bound(problem: Problem) -> float | None:
    """2/L, the largest stable learning rate of plain full-batch gradient descent on a quadratic loss
    (L = largest Hessian eigenvalue); None where the loss is not quadratic."""
    return problem.stability_bound


def display_surface(Z: np.ndarray) -> np.ndarray:
    """A loss grid mapped for colouring: log10(1 + (Z - min Z)) - even spacing of colour across decades, so
    narrow valleys (Rosenbrock, Beale) and wide bowls both show their shape. Non-finite values become the max.
    Finite for any finite Z: where Z - min Z exceeds the float range (losses of both signs near it) it is taken
    halved, log10(1 + d) = log10(2) + log10(1/2 + d/2)."""
    finite = np.isfinite(Z)
    if not finite.any():
        return np.zeros_like(Z, dtype=float)
    low = Z[finite].min()
    shown = np.where(finite, Z, Z[finite].max())
    with np.errstate(over="ignore"):
        out = np.log10(1.0 + (shown - low))
    beyond = ~np.isfinite(out)
    if beyond.any():
        out[beyond] = math.log10(2.0) + np.log10(0.5 + (shown[beyond] / 2 - low / 2))
    return out


def surface_heights(loss, low: float, high: float, log: bool = False, span: float = 1.0) -> np.ndarray:
    """Heights of a 3D loss surface and of the points on it: the loss mapped linearly from [low, high] (the
    grid's range) onto [0, span]; with ``log``, h(L) = log10(1 + L - low) first, so a valley's floor keeps its
    shape under high walls. The same map for the surface and the paths: a point drawn at height h has loss L.
    Non-finite losses give NaN (no point)."""
    loss = np.asarray(loss, dtype=float)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        if log:
            lift = np.log10(1.0 + np.maximum(loss - low, 0.0))
            top = np.log10(1.0 + max(high - low, 0.0))
        else:
            lift, top = loss - low, high - low
        out = span * lift / (top if top > 0 else 1.0)
    return np.where(np.isfinite(loss), out, np.nan)


#: How far from the surface's centre a 3D path is drawn, in half-widths of the surface: farther points are
#: drawn at this distance on the line from the centre towards them (off screen either way; OpenGL takes float32
#: coordinates, which overflow beyond 3.4e38 - a start at 1e77 did).
REACH = 1e6


def within_reach(points: np.ndarray, centre, half_widths, reach: float = REACH) -> np.ndarray:
    """``points`` (T, k) moved radially towards ``centre`` to at most ``reach`` half-widths from it (a new array).

    In units u = (p − c) / h (``half_widths`` h per axis), a point with |u| > reach becomes c + h·u·reach/|u|:
    on the same ray from the centre, so a segment from a point in view to a far one leaves the view in the same
    direction. |u| is taken as m·|u/m| with m = max|u_i| (no overflow for coordinates up to 1e308); an infinite
    coordinate counts as the largest float. Points within reach are returned as they are; NaN rows (no point) stay
    NaN. The 3D view calls this for every path on every frame: a path inside the box |u_i| <= reach/√k costs
    its least and largest value per axis, 0.3 ms for 1e5 points (the exact |u| of every row took ~20 ms);
    otherwise rows inside the box are only compared and the exact |u| is taken over the others."""
    points = np.array(points, dtype=float)
    centre, half_widths = np.asarray(centre, dtype=float), np.asarray(half_widths, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        box = half_widths * (reach / math.sqrt(points.shape[-1]))  # |u_i| <= reach/√k on every axis: |u| <= reach
        # the whole path in the box, the usual case (column by column: numpy's min over axis 0 of a (T, 3) array
        # takes ten times as long; a NaN fails every comparison)
        if len(points) and all(low <= column.min() and column.max() <= high
                               for column, low, high in zip(points.T, centre - box, centre + box, strict=True)):
            return points
        rest = ~(np.abs(points - centre) <= box).all(axis=-1)  # far, nearly far, or NaN
    if rest.any():
        points[rest] = _radially_within_reach(points[rest], centre, half_widths, reach)
    return points


def _radially_within_reach(points: np.ndarray, centre: np.ndarray, half_widths: np.ndarray,
                           reach: float) -> np.ndarray:
    """:func:`within_reach` by the exact |u| for each row."""
    with np.errstate(over="ignore", invalid="ignore"):
        units = np.nan_to_num((points - centre) / half_widths, nan=np.nan, posinf=np.finfo(float).max,
                              neginf=-np.finfo(float).max)
        largest = np.abs(units).max(axis=-1, keepdims=True)
        direction = units / np.where(largest > 0, largest, 1.0)  # |direction| in [1, sqrt(k)]: no overflow
        norm = np.sqrt((direction ** 2).sum(axis=-1, keepdims=True))
        far = largest > reach / norm
        moved = centre + half_widths * (direction * (reach / norm))
    return np.where(np.isnan(points).any(axis=-1, keepdims=True), np.nan, np.where(far, moved, points))


def contour_levels(surface: np.ndarray, count: int = 12) -> np.ndarray:
    """``count`` evenly spaced iso-levels strictly inside the range of a display surface."""
    low, high = float(surface.min()), float(surface.max())
    if not high > low:
        return np.empty(0)
    return np.linspace(low, high, count + 2)[1:-1]


def display_stride(n_rows: int, max_points: int) -> int:
    """Every how many rows to draw so that at most about ``max_points`` are drawn (1 = every row)."""
    return max(1, -(-n_rows // max_points))


def iso_segments(xs: np.ndarray, ys: np.ndarray, Z: np.ndarray, levels) -> tuple[np.ndarray, np.ndarray]:
    """Iso-lines of the grid ``Z[i, j]`` (at ``xs[j]``, ``ys[i]``) by vectorised marching squares.

    Returns ``(x, y)`` listing line segments as consecutive point pairs (draw with connect="pairs"). Each grid
    cell crossed by a level contributes the segment between the crossings on its edges, placed by linear
    interpolation; a saddle cell (four crossings) is split according to its centre value. Only the cells a
    level crosses are visited.
    """
    corners = np.stack([Z[:-1, :-1], Z[:-1, 1:], Z[1:, :-1], Z[1:, 1:]], axis=-1).reshape(-1, 4)  # z00 z01 z10 z11
    cols = len(xs) - 1
    cell_min, cell_max = corners.min(axis=1), corners.max(axis=1)
    out_x, out_y = [], []
    for level in levels:
        cells = np.flatnonzero((cell_min < level) & (cell_max >= level))
        if not len(cells):
            continue
        z00, z01, z10, z11 = corners[cells].T
        x0, y0 = xs[cells % cols], ys[cells // cols]
        x1, y1 = xs[cells % cols + 1], ys[cells // cols + 1]
        with np.errstate(divide="ignore", invalid="ignore"):
            # where each cell edge crosses the level, as a fraction along the edge (NaN: no crossing);
            # edges: 0 bottom (z00-z01), 1 top (z10-z11), 2 left (z00-z10), 3 right (z01-z11)
            t = np.stack([np.where((a < level) != (b < level), (level - a) / (b - a), np.nan)
                          for a, b in ((z00, z01), (z10, z11), (z00, z10), (z01, z11))], axis=-1)
        px = np.stack([x0 + t[:, 0] * (x1 - x0), x0 + t[:, 1] * (x1 - x0), x0, x1], axis=-1)
        py = np.stack([y0, y1, y0 + t[:, 2] * (y1 - y0), y0 + t[:, 3] * (y1 - y0)], axis=-1)
        hit = ~np.isnan(t)
        count = hit.sum(axis=1)
        rows, pairs = [np.flatnonzero(count == 2)], [np.argsort(~hit[count == 2], axis=1, kind="stable")[:, :2]]
        four = np.flatnonzero(count == 4)
        if len(four):
            # a saddle: if the centre lies on z00's side, cut off corners z01 and z10, else z00 and z11
            centre_like_z00 = ((z00 + z01 + z10 + z11)[four] / 4 >= level) == (z00[four] >= level)
            rows.append(np.repeat(four, 2))
            pairs.append(np.where(centre_like_z00[:, None], [0, 3, 1, 2], [0, 2, 1, 3]).reshape(-1, 2))
        for row, pair in zip(rows, pairs):
            picked = np.arange(len(row))[:, None]
            out_x.append(px[row][picked, pair].ravel())
            out_y.append(py[row][picked, pair].ravel())
    if not out_x:
        return np.empty(0), np.empty(0)
    return np.concatenate(out_x), np.concatenate(out_y)


def joined_lines(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Segments (consecutive point pairs, as :func:`iso_segments` lists them) joined into polylines where they
    share an end, one line after another with a NaN point between (draw with connect="finite").

    A dashed pen dashes along each whole line; drawn segment by segment (a grid cell each, a few pixels long)
    it restarted its dash pattern at every segment, on a dash, and a dashed contour looked solid. Neighbouring
    cells compute their shared edge's crossing identically, so shared ends are equal floats. A point where more
    than two segments meet ends the lines there; segments of no length are left out.
    """
    n = len(x) // 2
    if n == 0:
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ends = np.unique(np.asarray(x) + 1j * np.asarray(y), return_inverse=True)[1].reshape(n, 2).tolist()
    meeting: dict[int, list[int]] = {}  # point -> the segments ending there
    used = [a == b for a, b in ends]  # a level through a grid point gives segments of no length: nothing to draw
    for segment, (a, b) in enumerate(ends):
        if a != b:
            meeting.setdefault(a, []).append(segment)
            meeting.setdefault(b, []).append(segment)
    order: list[int] = []  # indices into x and y; -1 between lines

    def walk(segment: int, start_end: int) -> None:
        """One line: from ``segment``'s end ``start_end`` (0 or 1) onwards while the next point joins two."""
        order.append(2 * segment + start_end)
        while True:
            used[segment] = True
            far = 1 - start_end
            order.append(2 * segment + far)
            point = ends[segment][far]
            onward = [s for s in meeting[point] if not used[s]] if len(meeting[point]) == 2 else []
            if not onward:
                break
            segment = onward[0]
            start_end = ends[segment].index(point)
        order.append(-1)

    # open lines first, from an end that meets no other segment (or more than one), then the closed loops
    for segment, (a, b) in enumerate(ends):
        if not used[segment] and (len(meeting[a]) != 2 or len(meeting[b]) != 2):
            walk(segment, 0 if len(meeting[a]) != 2 else 1)
    for segment in range(n):
        if not used[segment]:
            walk(segment, 0)
    index = np.array(order[:-1])
    keep = index >= 0
    out_x, out_y = np.full(len(index), np.nan), np.full(len(index), np.nan)
    out_x[keep], out_y[keep] = np.asarray(x)[index[keep]], np.asarray(y)[index[keep]]
    return out_x, out_y


@dataclass(frozen=True)
class Plane:
    """A plane through parameter space: theta(a, b) = origin + a*directions[0] + b*directions[1]."""

    origin: np.ndarray
    directions: np.ndarray  # (2, d), orthonormal
    explained: np.ndarray  # share of the trajectory's variance along each direction

    def project(self, params: np.ndarray) -> np.ndarray:
        """Coordinates (T, 2) of parameter vectors (T, d) in the plane (orthogonal projection); inf for a vector
        too far out to project."""
        with np.errstate(**_QUIET):
            return (params - self.origin) @ self.directions.T

    def points(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Parameter vectors at plane coordinates: a, b of any (equal) shape -> (..., d)."""
        return self.origin + a[..., None] * self.directions[0] + b[..., None] * self.directions[1]


def trajectory_plane(params: np.ndarray, max_rows: int = 5000) -> Plane:
    """The plane of a trajectory's two principal directions through its final point (Li et al., "Visualizing
    the Loss Landscape of Neural Nets", 2018): PCA of the rows theta_t - theta_final.

    Long trajectories are thinned to about ``max_rows`` rows (evenly, keeping the last). A trajectory that moved
    along fewer than two directions gets a second direction orthogonal to the first.
    """
    stride = display_stride(len(params), max_rows)
    rows = params[::stride] if stride == 1 else np.vstack([params[::stride], params[-1:]])
    origin = rows[-1].copy()
    with np.errstate(over="ignore", invalid="ignore"):
        offsets = rows - origin
    if not np.isfinite(offsets).all():  # a path across the float range: halves, the same directions
        offsets = rows / 2 - origin / 2
    scale = float(np.abs(offsets).max()) if offsets.size else 0.0
    if scale > 1e100:  # a path gone far out: the directions of offsets scaled down, whose squares stay finite
        offsets = offsets / scale
    d = params.shape[1]
    centred = offsets - offsets.mean(axis=0)
    _, sv, vt = np.linalg.svd(centred, full_matrices=False) if len(rows) > 1 else (None, np.zeros(1), np.eye(1, d))
    directions = np.zeros((2, d))
    count = int(min(2, np.sum(sv > 1e-12 * max(sv.max(), 1e-300))))
    directions[:count] = vt[:count]
    for k in range(count, 2):  # fill up with unit vectors orthogonal to what is there
        for axis in np.argsort(-np.abs(directions[:k]).sum(axis=0) if k else np.zeros(d), kind="stable")[::-1]:
            candidate = np.eye(d)[axis] - directions[:k].T @ (directions[:k] @ np.eye(d)[axis])
            if np.linalg.norm(candidate) > 1e-6:
                directions[k] = candidate / np.linalg.norm(candidate)
                break
    total = float((sv ** 2).sum())
    explained = np.array([(sv[k] ** 2) / total if total > 0 and k < len(sv) else 0.0 for k in range(2)])
    return Plane(origin, directions, explained)


def plane_extent(coords: np.ndarray, margin: float = 0.3, minimum: float = 0.5) -> tuple[tuple, tuple]:
    """Plane ranges that hold the projected path with a margin (and are at least ``minimum`` wide), within
    ±:data:`PLOT_LIMIT` (a path's points beyond are framed at that edge)."""
    out = []
    for k in range(2):
        finite = np.clip(coords[np.isfinite(coords[:, k]), k], -PLOT_LIMIT, PLOT_LIMIT)
        low, high = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 0.0)
        half = max((high - low) / 2 * (1 + margin), minimum / 2)
        centre = (low + high) / 2
        out.append((centre - half, centre + half))
    return out[0], out[1]


def plane_grid(problem: Problem, plane: Plane, a_range, b_range, resolution: int = 80,
               cancelled: Callable[[], bool] = lambda: False):
    """The full loss on a grid of the plane: ``(a, b, Z)`` with ``Z[i, j]`` at (a[j], b[i]); None if
    ``cancelled()`` turned true (as for :func:`loss_grid`).

    Evaluated through ``problem.grid_loss``: vectorised over the samples (and, in chunks, over grid points).
    """
    a = np.linspace(*a_range, resolution)
    b = np.linspace(*b_range, resolution)
    with np.errstate(**_QUIET):
        Z = _grid_loss(problem, plane.points(*np.meshgrid(a, b)), cancelled)
    return None if Z is None else (a, b, Z)


def step_arrows(record) -> dict | None:
    """The arrows of a run's latest step (a :class:`gd_core.pipeline.StepRecord`; None before the first): from
    where it started (``origin`` = theta_{t-1}), -gamma times the full-data gradient there, -gamma times the
    gradient the step used (its batch, after noise and clipping), and the update theta_t - theta_{t-1} itself."""
    if record is None:
        return None
    with np.errstate(**_QUIET):  # an infinite rate times a zero gradient: NaN, an arrow not drawn
        return {"origin": record.params_before, "full_gradient": -record.lr * record.full_grad_before,
                "step_gradient": -record.lr * record.grad, "update": record.update}


def step_trials(record) -> np.ndarray | None:
    """The points a run's latest step evaluated its loss at (k, d), in order - a line search's trials, LBFGS's and
    CG's evaluations - or None for a method that evaluates only where it stands (or before the first step)."""
    trials = getattr(getattr(record, "state", None), "trials", None)
    if trials is None or np.ndim(trials) != 2 or not len(trials):
        return None
    return trials[np.isfinite(trials).all(axis=1)]


def batch_contours(problem: Problem, xs: np.ndarray, ys: np.ndarray, indices, count: int = 8):
    """Iso-lines of the loss of the samples ``indices`` alone (None: all of them) over a two-parameter grid:
    every second point of (xs, ys), mapped by :func:`display_surface`; whole lines (:func:`joined_lines`), the
    window draws them dashed."""
    idx = np.arange(problem.n_samples) if indices is None else indices
    coarse_x, coarse_y = xs[::2], ys[::2]
    points = np.stack(np.meshgrid(coarse_x, coarse_y), axis=-1)
    with np.errstate(**_QUIET):
        losses = problem.batch_grid_loss(points, idx)
    surface = display_surface(losses)
    return joined_lines(*iso_segments(coarse_x, coarse_y, surface, contour_levels(surface, count)))


#: A hover read-out evaluates the loss exactly when one evaluation costs at most this many units of work
#: (see gd_core.problems.base.MAX_PASS_WORK: about 0.1 ms); a larger problem reads the grid on screen instead.
HOVER_WORK = 1e6


def hover_loss(problem: Problem, point: np.ndarray, grid=None, at=None) -> tuple[float, bool] | None:
    """The full loss at a hovered parameter vector ``point``, never a pass over much data per mouse move:
    ``(loss, True)`` evaluated exactly where that is cheap (sufficient statistics, functions, small data: at
    most :data:`HOVER_WORK`); else ``(loss, False)`` interpolated bilinearly at plot coordinates ``at`` = (x, y)
    in ``grid`` = (xs, ys, Z), the loss grid already computed for the view; None when neither is possible."""
    if problem.pass_work <= HOVER_WORK:
        with np.errstate(**_QUIET):
            return float(problem.full_loss(point)), True
    if grid is None or at is None:
        return None
    value = grid_value(*grid, *at)
    return (value, False) if math.isfinite(value) else None


def grid_value(xs: np.ndarray, ys: np.ndarray, Z: np.ndarray, x: float, y: float) -> float:
    """Bilinear interpolation of ``Z[i, j]`` (at ``xs[j]``, ``ys[i]``, both increasing) at (x, y); NaN outside."""
    if not (xs[0] <= x <= xs[-1] and ys[0] <= y <= ys[-1]):
        return math.nan
    j = min(int(np.searchsorted(xs, x, side="right")) - 1, len(xs) - 2)
    i = min(int(np.searchsorted(ys, y, side="right")) - 1, len(ys) - 2)
    u = (x - xs[j]) / (xs[j + 1] - xs[j])
    v = (y - ys[i]) / (ys[i + 1] - ys[i])
    return float((1 - v) * ((1 - u) * Z[i, j] + u * Z[i, j + 1]) + v * ((1 - u) * Z[i + 1, j] + u * Z[i + 1, j + 1]))


def class_regions(problem: Problem, params: np.ndarray, x_range, y_range, resolution: int):
    """A classifier's class probabilities over the plane of the first two features (the others at their means):
    ``(xs, ys, P)`` with ``P[i, j, k]`` = P(class k | x = xs[j], y = ys[i]) (two classes: k = 0, 1)."""
    X = problem.dataset.X
    xs, ys = np.linspace(*x_range, resolution), np.linspace(*y_range, resolution)
    gx, gy = np.meshgrid(xs, ys)
    grid = np.tile(X.mean(axis=0), (gx.size, 1))
    grid[:, 0], grid[:, 1] = gx.ravel(), gy.ravel()
    probs = problem.class_probabilities(params, grid)
    if probs.ndim == 1:
        probs = np.stack([1 - probs, probs], axis=-1)
    return xs, ys, probs.reshape(*gx.shape, -1)


def region_shading(probs: np.ndarray, floor: float = 0.15) -> tuple[np.ndarray, np.ndarray]:
    """For class probabilities (..., K): the winning class and how strongly to shade it, from ``floor`` where
    the classifier hesitates (all K near 1/K) to 1 where it is sure: clip(2*(max P - 1/K), floor, 1)."""
    K = probs.shape[-1]
    return probs.argmax(axis=-1), np.clip((probs.max(axis=-1) - 1 / K) * 2, floor, 1.0)
