"""Plane geometry for drawing models over data."""

from __future__ import annotations

import numpy as np


def decision_line(weights, bias: float, x_range, y_range):
    """The segment of the line w1*x + w2*y + b = 0 inside the box, as (xs, ys); empty where it misses the box."""
    w1, w2 = float(weights[0]), float(weights[1])
    (x0, x1), (y0, y1) = x_range, y_range
    points = []
    if abs(w2) > 1e-300:
        for x in (x0, x1):
            y = -(w1 * x + bias) / w2
            if y0 <= y <= y1:
                points.append((x, y))
    if abs(w1) > 1e-300:
        for y in (y0, y1):
            x = -(w2 * y + bias) / w1
            if x0 <= x <= x1:
                points.append((x, y))
    points = sorted(set(points))
    if len(points) < 2:
        return np.empty(0), np.empty(0)
    (ax, ay), (bx, by) = points[0], points[-1]
    return np.array([ax, bx]), np.array([ay, by])
