"""Animations of training, without Qt: which steps become frames, how long each frame shows, and the GIF and MP4
encoders that take frames as they are recorded.

A recording of ``steps`` training steps in ``frames`` frames shows the start in its first frame and the end in
its last, the others evenly between: frame i shows step ``round(i * steps / (frames - 1))``.

Durations are milliseconds per frame (Pillow's ``duration`` is in ms, not seconds or centiseconds). A GIF stores
hundredths of a second, so frame i starts at ``10 * round(100 * i / fps)`` ms: at 30 fps the frames show for 30,
40, 30, 30, 40 ... ms and the whole animation lasts as long as it should. Browsers show a frame shorter than 20 ms
for 100 ms, so a GIF plays at most 50 frames per second.

GIF: frames wait zlib-compressed (a plot shrinks ten- to twenty-fold) until the file is written; then one
palette serves every frame (:meth:`GifWriter.palette`; no dithering, so flat plot colours stay flat), and Pillow
stores only the rectangle that changed since the previous frame, with unchanged pixels transparent. Pillow merges
a frame identical to the one before into it (their durations add up). MP4: H.264 in yuv420p through PyAV,
encoded as each frame arrives. Pillow and PyAV are optional extras; without them :func:`animation_writer` raises
a :class:`ConfigError` naming the extra to install.
"""

from __future__ import annotations

import importlib.util
import math
import os
import zlib
from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from .errors import ConfigError
from .files import PendingFile, quote


@dataclass(frozen=True)
class AnimationFormat:
    name: str
    module: str  #: the module that writes it (imported when a recording starts)
    package: str  #: the package that installs that module
    extra: str  #: the optional extra of gdlab that installs the package
    max_fps: float  #: GIF: players show a frame shorter than 20 ms for 100 ms
    called: str  #: the name with its article, for messages

#: The file types an animation is written as, by file name extension.
FORMATS = {
    ".gif": AnimationFormat("GIF", "PIL", "Pillow", "animation", 50.0, "a GIF"),
    ".mp4": AnimationFormat("MP4", "av", "PyAV", "video", 120.0, "an MP4"),
}
MAX_STEPS = 10_000_000
MAX_FRAMES = 5000
MIN_WIDTH, MAX_WIDTH = 16, 3840
#: A GIF is assembled in memory (one byte per pixel of every frame) when it is written: this many pixels at most.
MAX_GIF_PIXELS = 200_000_000
#: Without a width, frames are the view's own width, but at most this many pixels wide (GIFs for slides stay small).
DEFAULT_WIDTH = 800
#: Without a frame count, one frame per step, but at most this many seconds of animation.
DEFAULT_SECONDS = 10.0


def animation_format(path: str) -> AnimationFormat:
    """The format a file name asks for (by its extension), or a ConfigError naming the allowed ones."""
    ext = os.path.splitext(os.fspath(path))[1].lower()
    if ext not in FORMATS:
        raise ConfigError("file", f"{quote(os.path.basename(path))}: name a .gif or .mp4 file (the format follows "
                                  "the extension)")
    return FORMATS[ext]


def missing_extra(path: str) -> str | None:
    """The one-line message when the package that writes ``path``'s format is not installed, else None."""
    fmt = animation_format(path)
    if installed(fmt.module):
        return None
    return (f"writing {fmt.name} files needs the optional extra '{fmt.extra}' (the package {fmt.package}): "
            f"pip install 'gdlab[{fmt.extra}]'")


def installed(module: str) -> bool:
    """Whether ``module`` can be imported (without importing it)."""
    return importlib.util.find_spec(module) is not None


def default_frames(steps: int, fps: float) -> int:
    """One frame per step and one for the start, but at most :data:`DEFAULT_SECONDS` of animation."""
    return max(2, min(steps + 1, round(fps * DEFAULT_SECONDS), MAX_FRAMES))


@dataclass(frozen=True)
class Animation:
    """What to record: ``steps`` training steps in ``frames`` frames played at ``fps``, ``width`` pixels wide
    (None: the view's own width), written to ``path``."""

    path: str
    steps: int
    fps: float
    frames: int
    width: int | None = None

    @property
    def format(self) -> AnimationFormat:
        return animation_format(self.path)

    @property
    def seconds(self) -> float:
        return self.frames / self.fps


def _number(value, key: str, kind: type, low: float, high: float, what: str) -> float:
    """``value`` as ``kind`` if it is a number (an integral one for int) from ``low`` to ``high``, else a
    ConfigError naming ``key``. (Python compares a huge integer with a float exactly; it never converts it.)"""
    fits = isinstance(value, (int, float)) and not isinstance(value, bool)
    if fits and isinstance(value, float):
        fits = math.isfinite(value) and (kind is float or value.is_integer())
    if not fits or not low <= value <= high:
        allowed = f"{'an integer' if kind is int else 'a number'} from {low:g} to {high:g}"
        shown = f"{value:g}" if isinstance(value, float) and math.isfinite(value) else quote(value)
        raise ConfigError(key, f"{shown} is not allowed; {what} is {allowed}")
    return kind(value)


def check_animation(path: str, steps, fps, frames=None, width=None) -> Animation:
    """Validate what to record; ``frames`` None takes :func:`default_frames`. Each mistake is a ConfigError
    whose key names the value (file, steps, fps, frames, width) and says what is allowed."""
    path = os.fspath(path)
    if not path:
        raise ConfigError("file", "needs a file name (.gif or .mp4); got an empty one")
    fmt = animation_format(path)
    steps = _number(steps, "steps", int, 1, MAX_STEPS, "the length in steps")
    fps = _number(fps, "fps", float, 0.1, fmt.max_fps, f"the frame rate of {fmt.called} (frames per second)")
    if frames is None:
        frames = default_frames(steps, fps)
    frames = _number(frames, "frames", int, 2, min(MAX_FRAMES, steps + 1),
                     f"the number of frames (at most one per step and one for the start, {MAX_FRAMES} in all)")
    if width is not None:
        width = _number(width, "width", int, MIN_WIDTH, MAX_WIDTH, "the width in pixels")
    return Animation(path, steps, fps, frames, width)


def check_size(animation: Animation, width: int, height: int) -> None:
    """Refuse a GIF too large to assemble (see :data:`MAX_GIF_PIXELS`), once the frame size is known."""
    pixels = animation.frames * width * height
    if animation.format.name == "GIF" and pixels > MAX_GIF_PIXELS:
        raise ConfigError("frames", f"{animation.frames} frames of {width} x {height} pixels are "
                                    f"{pixels / 1e6:,.0f} million pixels; a GIF holds at most "
                                    f"{MAX_GIF_PIXELS / 1e6:,.0f} million: take fewer frames, a smaller width, "
                                    "or an .mp4 file")


def frame_steps(steps: int, frames: int) -> list[int]:
    """The step (counted from the start of the recording) each frame shows: 0, ..., ``steps``, evenly spread."""
    return [round(i * steps / (frames - 1)) for i in range(frames)]


def frame_spacing(steps: int, frames: int) -> str:
    """How far apart the frames are, in words: "every step", "every 5 steps", or, where ``frames - 1`` does not
    divide ``steps``, the two gaps :func:`frame_steps` leaves ("every 1 or 2 steps" for 100 frames of 100 steps:
    never "every 1.01 steps", a fraction of a step no frame shows)."""
    shown = frame_steps(steps, frames)
    gaps = sorted({b - a for a, b in zip(shown, shown[1:])})
    if gaps == [1]:
        return "every step"
    return f"every {' or '.join(map(str, gaps))} steps"


def frame_durations_ms(frames: int, fps: float, tick_ms: int = 10) -> list[int]:
    """How long each frame shows, in milliseconds, each a multiple of ``tick_ms`` (a GIF's 10 ms), such that
    frame i starts at ``i * 1000 / fps`` ms rounded to the tick: the animation keeps its length."""
    starts = [tick_ms * round(i * 1000 / fps / tick_ms) for i in range(frames + 1)]
    return [b - a for a, b in zip(starts, starts[1:])]


def frame_size(width: int, height: int, animation: Animation) -> tuple[int, int]:
    """The size of the frames of a view ``width`` x ``height`` pixels on screen: ``animation.width`` wide (or
    the view's own width, at most :data:`DEFAULT_WIDTH`), the view's aspect ratio kept; even for an MP4 (its
    yuv420p colours come in 2 x 2 blocks)."""
    w = animation.width or min(width, DEFAULT_WIDTH)
    h = max(1, round(height * w / max(width, 1)))
    if animation.format.name == "MP4":
        w, h = w + w % 2, h + h % 2
    return w, h


# --- writers -------------------------------------------------------------------------------------------------
class AnimationWriter(ABC):
    """Frames in, a file out: ``add(frame)`` for each RGB frame (height x width x 3, uint8) in order, then
    ``finish()`` writes the file (all or nothing: a temporary file beside it is renamed at the end), or
    ``discard()`` leaves nothing behind."""

    def __init__(self, animation: Animation, size: tuple[int, int]):
        self.animation, self.size = animation, size
        self.count = 0
        self.pending = PendingFile(animation.path)

    def add(self, frame: np.ndarray) -> None:
        if frame.shape != (self.size[1], self.size[0], 3) or frame.dtype != np.uint8:
            raise ValueError(f"a frame of {frame.shape} {frame.dtype}; this animation takes "
                             f"{(self.size[1], self.size[0], 3)} uint8")
        try:
            self._add(frame)
        except BaseException:
            self.discard()
            raise
        self.count += 1

    def finish(self) -> int:
        """Write the file; returns its size in bytes."""
        try:
            self._finish(self.pending.tmp)
            return self.pending.commit()
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        self._close()
        self.pending.discard()

    @abstractmethod
    def _add(self, frame: np.ndarray) -> None:
        """Take one frame (checked)."""

    @abstractmethod
    def _finish(self, tmp: str) -> None:
        """Complete the file at ``tmp``."""

    @abstractmethod
    def _close(self) -> None:
        """Let go of what the writer holds (frames, an open container)."""


class GifWriter(AnimationWriter):
    """See the module's docstring: frames wait compressed, then one palette for all, then Pillow."""

    def __init__(self, animation: Animation, size: tuple[int, int]):
        from PIL import Image  # the optional extra: animation_writer() checked that it is there

        self._image = Image
        super().__init__(animation, size)
        self.frames: list[bytes] = []

    def _add(self, frame: np.ndarray) -> None:
        self.frames.append(zlib.compress(frame.tobytes(), 1))

    def _rgb(self, index: int) -> np.ndarray:
        return np.frombuffer(zlib.decompress(self.frames[index]), np.uint8).reshape(self.size[1], self.size[0], 3)

    def palette(self):
        """A "P" image holding the palette of every frame: the colours of the first, middle and last frames (a
        path drawn later has its colour in the last) - all of them when they are at most 255, else 255 chosen by
        an octree (thin lines keep their colour, unlike a median cut's); one index is left free for Pillow's
        transparent "unchanged" pixels."""
        Image = self._image
        sample = np.concatenate([self._rgb(i) for i in sorted({0, len(self.frames) // 2, len(self.frames) - 1})])
        packed = sample.reshape(-1, 3).astype(np.uint32) @ np.array([1 << 16, 1 << 8, 1], np.uint32)
        colors = np.unique(packed)  # one number per colour: 30 times faster than unique rows
        if len(colors) <= 255:
            holder = Image.new("P", (1, 1))
            holder.putpalette(((colors[:, None] >> np.array([16, 8, 0], np.uint32)) & 255).astype(np.uint8).tobytes())
            return holder
        return Image.fromarray(sample, "RGB").quantize(colors=255, method=Image.Quantize.FASTOCTREE,
                                                       dither=Image.Dither.NONE)

    def _indexed(self, palette):
        for i in range(len(self.frames)):
            yield self._image.fromarray(self._rgb(i), "RGB").quantize(palette=palette,
                                                                      dither=self._image.Dither.NONE)

    def _finish(self, tmp: str) -> None:
        if not self.frames:
            raise ValueError("no frames were recorded")
        images = self._indexed(self.palette())
        first = next(images)
        durations = frame_durations_ms(len(self.frames), self.animation.fps)
        first.save(tmp, format="GIF", save_all=True, append_images=images, duration=durations, loop=0,
                   optimize=True, disposal=1)

    def _close(self) -> None:
        self.frames = []


class Mp4Writer(AnimationWriter):
    """H.264 (yuv420p) frames through PyAV, encoded as they arrive."""

    def __init__(self, animation: Animation, size: tuple[int, int]):
        import av  # the optional extra: missing_extra() is checked first

        super().__init__(animation, size)
        self._av = av
        try:
            self.container = av.open(self.pending.tmp, mode="w", format="mp4")
            rate = _rate(animation.fps)
            self.stream = self.container.add_stream("libx264", rate=rate)
            self.stream.width, self.stream.height = size
            self.stream.pix_fmt = "yuv420p"
            self.stream.options = {"crf": "20", "preset": "medium"}
        except BaseException:
            self.discard()
            raise

    def _add(self, frame: np.ndarray) -> None:
        picture = self._av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="rgb24")
        for packet in self.stream.encode(picture):
            self.container.mux(packet)

    def _finish(self, tmp: str) -> None:
        if not self.count:
            raise ValueError("no frames were recorded")
        for packet in self.stream.encode(None):  # flush the encoder
            self.container.mux(packet)
        self.container.close()
        self.container = None

    def _close(self) -> None:
        if getattr(self, "container", None) is not None:
            try:
                self.container.close()
            except Exception:  # a container that failed to open or write: its file is removed next
                pass
            self.container = None


def _rate(fps: float):
    """A frame rate as an exact fraction for the encoder (29.97 -> 2997/100)."""
    from fractions import Fraction

    return Fraction(fps).limit_denominator(1001)


WRITERS = {"GIF": GifWriter, "MP4": Mp4Writer}


def animation_writer(animation: Animation, size: tuple[int, int]) -> AnimationWriter:
    """The writer for ``animation``'s format, or a ConfigError naming the extra to install."""
    problem = missing_extra(animation.path)
    if problem:
        raise ConfigError("file", problem)
    check_size(animation, *size)
    return WRITERS[animation.format.name](animation, size)
