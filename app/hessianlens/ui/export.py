"""Pictures of the plane as shown: PNG, SVG, animated GIF or PNG sequence, and trajectory data.

The window and ``hessianlens export`` both call these functions on a PlotView, so a picture
from the command line is the one the window would show. Every file goes through
files.atomic_path: an interrupted export leaves the user's previous file as it was.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PIL import Image
from PySide6.QtCore import QEventLoop, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QApplication

from hessianlens.engine.serialize import trajectories_to_csv, trajectories_to_json
from hessianlens.files import atomic_path, write_text_atomic
from hessianlens.ui.session import Session

FRAME_MS = 250  # GIF frame duration: 4 steps/s, the window's default playback speed
# Light background (print): the colour image of f is washed out towards white, so a
# printer does not lay down a dark viridis sheet; contours turn dark to stay readable.
LIGHT_IMAGE_OPACITY = 0.35
LIGHT_CONTOUR_PEN = pg.mkPen(60, 60, 60, 160, width=1)

Progress = Callable[[int, int], bool]  # (frames done, frames in all) -> go on?


class ExportCancelled(Exception):
    """The user cancelled an animated export; nothing was left where the file was."""


def settle() -> None:
    """Let Qt finish pending layout and resize work, so the picture is complete."""
    app = QApplication.instance()
    for _ in range(3):
        app.sendPostedEvents()
        app.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)


@contextlib.contextmanager
def light_background(view, on: bool = True):
    """Temporarily wash out the image of f and darken its contours (print); then restore."""
    if not on:
        yield
        return
    pen = view.contours.opts["pen"]
    items = (view.image, getattr(view.bar, "bar", view.bar))  # the bar's gradient only
    opacities = [item.opacity() for item in items]
    try:
        for item in items:
            item.setOpacity(LIGHT_IMAGE_OPACITY)
        view.contours.setPen(LIGHT_CONTOUR_PEN)
        yield
    finally:
        for item, opacity in zip(items, opacities):
            item.setOpacity(opacity)
        view.contours.setPen(pen)


@contextlib.contextmanager
def uncached(scene):
    """Draw every item afresh (vector paths in an SVG, not the items' cached pixmaps)."""
    items = [(item, item.cacheMode()) for item in scene.items()
             if item.cacheMode() != item.CacheMode.NoCache]
    # Whole polylines, not thousands of two-point segments (segmentedLineMode is a screen
    # speed-up of configure_pyqtgraph).
    curves = [(c, c.opts["segmentedLineMode"]) for c in scene.items()
              if isinstance(c, pg.PlotCurveItem)]
    try:
        for curve, _mode in curves:
            curve.setSegmentedLineMode("off")
        for item, _mode in items:
            item.setCacheMode(item.CacheMode.NoCache)
        yield
    finally:
        for item, mode in items:
            item.setCacheMode(mode)
        for curve, mode in curves:
            curve.setSegmentedLineMode(mode)


def default_size(view, factor: float = 2.0) -> tuple[int, int]:
    """Twice the on-screen size of the plane: sharp on slides and in print."""
    w, h = view.graphics.width(), view.graphics.height()
    return max(1, round(factor * w)), max(1, round(factor * h))


def render_image(view, width: int, height: int, light: bool = False) -> QImage:
    """The plane (plot, colour bars, legend) as a width x height image.

    Drawn like a high-resolution screen (device pixel ratio = width / on-screen width), so
    lines, markers and text keep their on-screen proportions at any size. A size of another
    aspect than the view's gets the picture centred on white.
    """
    widget = view.graphics
    w, h = max(widget.width(), 1), max(widget.height(), 1)
    scale = min(width / w, height / h)
    image = QImage(int(width), int(height), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("white"))
    # Paint as on a screen of device pixel ratio `scale`: pens, markers and text all keep
    # their on-screen proportions (a plain painter scale would leave 1-pixel cosmetic pens thin).
    image.setDevicePixelRatio(scale)
    with light_background(view, light):
        settle()
        painter = QPainter(image)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            dx, dy = (width / scale - w) / 2, (height / scale - h) / 2
            # The scene, not the viewport's cached pixmap: vector items are redrawn sharp.
            widget.scene().render(painter, QRectF(dx, dy, w, h), _source(widget),
                                  Qt.AspectRatioMode.IgnoreAspectRatio)
        finally:
            painter.end()
    image.setDevicePixelRatio(1.0)
    return image


def _source(widget) -> QRectF:
    """The part of the scene the view shows."""
    return widget.mapToScene(widget.viewport().rect()).boundingRect()


def _png_bytes_to(path: os.PathLike, image: QImage) -> None:
    if not image.save(os.fspath(path), "PNG"):
        raise OSError(f"could not write the PNG image {os.fspath(path)}")


def save_png(view, path, width: int, height: int, light: bool = False) -> None:
    image = render_image(view, width, height, light)
    with atomic_path(path) as tmp:
        _png_bytes_to(tmp, image)


def save_svg(view, path, width: int, height: int, light: bool = False) -> None:
    """An SVG of the plane: trajectories, contours, arrows and text as vector paths; the
    colour images (f, det H, curvature) embedded as pictures."""
    widget = view.graphics
    source = _source(widget)
    with light_background(view, light), uncached(widget.scene()), atomic_path(path) as tmp:
        settle()
        # SVG 1.1 keeps clip paths: the arrows and images end at the plot's edge.
        gen = QSvgGenerator(QSvgGenerator.SvgVersion.Svg11)
        gen.setResolution(96)
        gen.setFileName(os.fspath(tmp))
        gen.setSize(QSize(int(width), int(height)))
        gen.setViewBox(QRectF(0, 0, width, height))
        gen.setTitle("Hessian Lens")
        gen.setDescription(view.session.function_text)
        painter = QPainter(gen)
        try:
            painter.fillRect(QRectF(0, 0, width, height), QColor("white"))
            widget.scene().render(painter, QRectF(0, 0, width, height), source,
                                  Qt.AspectRatioMode.KeepAspectRatio)
        finally:
            painter.end()


def save_image(view, path, width: int, height: int, light: bool = False) -> None:
    """PNG or SVG by the file's suffix."""
    if Path(path).suffix.lower() == ".svg":
        save_svg(view, path, width, height, light)
    else:
        save_png(view, path, width, height, light)


def _pil(image: QImage) -> Image.Image:
    rgba = image.convertToFormat(QImage.Format.Format_RGBA8888)
    arr = np.frombuffer(rgba.constBits(), np.uint8).reshape(rgba.height(), rgba.bytesPerLine())
    arr = arr[:, : 4 * rgba.width()].reshape(rgba.height(), rgba.width(), 4)
    return Image.fromarray(arr[:, :, :3].copy(), "RGB")


def animation_frames(view, width: int, height: int, light: bool = False,
                     progress: Progress | None = None):
    """Yield one picture per playback step 0..last_step; the session's step is restored after.

    progress(done, total) is called before each frame; returning False raises ExportCancelled.
    """
    session: Session = view.session
    saved = session.step
    total = session.last_step + 1
    try:
        for k in range(total):
            if progress is not None and not progress(k, total):
                raise ExportCancelled(f"cancelled after {k} of {total} frames")
            session.set_step(k)
            yield render_image(view, width, height, light)
        if progress is not None:
            progress(total, total)
    finally:
        session.set_step(saved)


def save_gif(view, path, width: int, height: int, light: bool = False,
             progress: Progress | None = None, frame_ms: int = FRAME_MS) -> int:
    """An animated GIF, one frame per step; returns the number of frames."""
    # Adaptive palette per frame: the viridis image and the method colours need more than
    # the 216-colour web palette to stay smooth.
    frames = [_pil(img).quantize(colors=256, method=Image.Quantize.MEDIANCUT)
              for img in animation_frames(view, width, height, light, progress)]
    with atomic_path(path) as tmp:
        frames[0].save(tmp, format="GIF", save_all=True, append_images=frames[1:],
                       duration=frame_ms, loop=0, optimize=False, disposal=1)
    return len(frames)


def sequence_paths(path, count: int) -> list[Path]:
    """'run.png' -> run_0000.png, run_0001.png, ...: the numbered files of a PNG sequence."""
    p = Path(path)
    stem = p.stem if p.suffix.lower() == ".png" else p.name
    digits = max(4, len(str(count - 1)))
    return [p.with_name(f"{stem}_{k:0{digits}d}.png") for k in range(count)]


def save_png_sequence(view, path, width: int, height: int, light: bool = False,
                      progress: Progress | None = None) -> list[Path]:
    """Numbered PNG files, one per step, each written atomically; returns their paths.

    A cancelled export removes the frames it had written.
    """
    paths = sequence_paths(path, view.session.last_step + 1)
    written: list[Path] = []
    try:
        for target, image in zip(paths, animation_frames(view, width, height, light, progress)):
            with atomic_path(target) as tmp:
                _png_bytes_to(tmp, image)
            written.append(target)
    except BaseException:
        for p in written:
            with contextlib.suppress(OSError):
                p.unlink()
        raise
    return written


def save_animation(view, path, width: int, height: int, light: bool = False,
                   progress: Progress | None = None, sequence: bool | None = None,
                   frame_ms: int = FRAME_MS) -> int:
    """GIF (by default, or for a .gif path) or numbered PNG sequence; returns frames written."""
    if sequence is None:
        sequence = Path(path).suffix.lower() == ".png"
    if sequence:
        return len(save_png_sequence(view, path, width, height, light, progress))
    return save_gif(view, path, width, height, light, progress, frame_ms)


def save_trajectories(session: Session, path) -> None:
    """CSV for a .csv path, JSON otherwise: the schema of ``hessianlens trace``, one entry
    per method (a JSON list; CSV rows after a method column)."""
    trajs = list(session.trajectories.values())
    if Path(path).suffix.lower() == ".csv":
        text = trajectories_to_csv(trajs)
    else:
        text = trajectories_to_json(trajs, session.function_text) + "\n"
    write_text_atomic(path, text)


def prepare_view(view, width: int, height: int, grid: int, timeout_ms: int = 60_000) -> None:
    """Lay a PlotView out at width x height without showing it on screen, and compute its
    fields now at grid x grid samples (the headless export path)."""
    view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    view.resize(int(width), int(height))
    view.show()
    settle()
    view.worker.grid = grid
    loop = QEventLoop()
    view.fields_shown.connect(loop.quit)
    view.worker.failed.connect(lambda _msg: loop.quit())
    QTimer.singleShot(timeout_ms, loop.quit)
    view.worker.request(view.session.objective, view.session.rect, now=True)
    loop.exec()  # safe: Qt event loop; the result arrives as a queued signal
    view.worker.wait()
    deadline = time.monotonic() + timeout_ms / 1000
    while view.busy() and time.monotonic() < deadline:  # an overlay's own job (basins)
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.005)
    settle()
