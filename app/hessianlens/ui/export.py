"""Pictures of the plane as shown (PNG, SVG) and trajectory data; animations: ui/animation.py.

The window and ``hessianlens export`` both call these functions on a PlotView, so a picture
from the command line is the one the window would show. Every file goes through
files.atomic_path and is checked complete before it replaces anything: an interrupted or
failed export leaves the user's previous file as it was.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEventLoop, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication

from hessianlens.engine.serialize import trajectories_to_csv, trajectories_to_json
from hessianlens.files import (atomic_path, check_png, check_xml, write_bytes_atomic,
                               write_text_atomic)
from hessianlens.ui.session import Session
from hessianlens.ui.still_stack import drawn_directly
from hessianlens.ui.svg_device import SvgDevice

# Light background (print): the colour image of f is washed out towards white, so a
# printer does not lay down a dark viridis sheet; contours turn dark to stay readable.
LIGHT_IMAGE_OPACITY = 0.35
LIGHT_CONTOUR_PEN = pg.mkPen(60, 60, 60, 160, width=1)

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


@contextlib.contextmanager
def vector_markers(scene):
    """Scatter markers drawn as shapes, not stamped from pyqtgraph's screen-resolution
    pixmap atlas (blurred in a 2x PNG, tiny bitmaps in an SVG); its export mode."""
    scatters = [item for item in scene.items() if isinstance(item, pg.ScatterPlotItem)]
    try:
        for item in scatters:
            item.setExportMode(True, {"antialias": True})
        yield
    finally:
        for item in scatters:
            item.setExportMode(False)


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
    with light_background(view, light), vector_markers(widget.scene()), \
            drawn_directly(widget.scene()):
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


def image_rect(view, scene_rect: QRectF, width: int, height: int) -> QRectF:
    """Where a rectangle of the scene lands in render_image(view, width, height)."""
    widget = view.graphics
    w, h = max(widget.width(), 1), max(widget.height(), 1)
    scale = min(width / w, height / h)
    dx, dy = (width / scale - w) / 2, (height / scale - h) / 2
    src = _source(widget)
    return QRectF((scene_rect.x() - src.x() + dx) * scale, (scene_rect.y() - src.y() + dy) * scale,
                  scene_rect.width() * scale, scene_rect.height() * scale)


def _source(widget) -> QRectF:
    """The part of the scene the view shows."""
    return widget.mapToScene(widget.viewport().rect()).boundingRect()


def frame_rgb(image: QImage) -> np.ndarray:
    """(height, width, 3) uint8 RGB copy of an image (the white page makes it opaque)."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    w, h = rgb.width(), rgb.height()
    arr = np.frombuffer(rgb.constBits(), np.uint8).reshape(h, rgb.bytesPerLine())
    return arr[:, : 3 * w].reshape(h, w, 3).copy()


def frame_packed(image: QImage) -> np.ndarray:
    """(height, width) uint32 0xRRGGBB copy of an opaque image (Qt's RGB32 words)."""
    # render_image's premultiplied ARGB on a white page is opaque: its words are RGB32's.
    words = (QImage.Format.Format_RGB32, QImage.Format.Format_ARGB32,
             QImage.Format.Format_ARGB32_Premultiplied)
    rgb = image if image.format() in words else image.convertToFormat(QImage.Format.Format_RGB32)
    w, h = rgb.width(), rgb.height()
    arr = np.frombuffer(rgb.constBits(), np.uint32).reshape(h, rgb.bytesPerLine() // 4)
    return arr[:, :w] & np.uint32(0xFFFFFF)


def write_png_bytes(path: os.PathLike, image: QImage) -> None:
    if not image.save(os.fspath(path), "PNG"):  # Qt says no more than that
        raise OSError("the PNG image could not be written (is the disk full?)")


def save_png(view, path, width: int, height: int, light: bool = False) -> None:
    image = render_image(view, width, height, light)
    with atomic_path(path, verify=check_png) as tmp:
        write_png_bytes(tmp, image)


def save_svg(view, path, width: int, height: int, light: bool = False) -> None:
    """An SVG of the plane that every renderer draws alike (see ui/svg_device.py):
    trajectories, contours, arrows and text as vector paths and text; the colour images
    (f, det H, curvature) embedded as pictures.

    The scene is drawn at its on-screen size and the document scaled to width x height, so
    lines and text keep the proportions they have in the PNG of the same size.
    """
    widget = view.graphics
    w, h = max(widget.width(), 1), max(widget.height(), 1)
    with light_background(view, light), uncached(widget.scene()), \
            vector_markers(widget.scene()), drawn_directly(widget.scene()):
        settle()
        device = SvgDevice(w, h)
        painter = QPainter(device)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            widget.scene().render(painter, QRectF(0, 0, w, h), _source(widget),
                                  Qt.AspectRatioMode.IgnoreAspectRatio)
        finally:
            painter.end()
    data = device.svg_text(int(width), int(height), "Hessian Lens",
                           view.session.function_text).encode("utf-8")
    write_bytes_atomic(path, data, verify=check_xml)


IMAGE_FORMATS = {"png": save_png, "svg": save_svg}


def image_format(path) -> str:
    """'svg' for a .svg path, 'png' otherwise."""
    return "svg" if Path(path).suffix.lower() == ".svg" else "png"


def save_image(view, path, width: int, height: int, light: bool = False,
               fmt: str | None = None) -> None:
    """PNG or SVG: ``fmt`` ('png' or 'svg') or else by the file's suffix. The one entry
    point of the window's Export image and of ``hessianlens export``."""
    IMAGE_FORMATS[fmt or image_format(path)](view, path, width, height, light)


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
    fields now at grid x grid samples (the headless export path).

    The fields are those of the view finally drawn: a key that grows with the fields (the
    basins' outcomes) changes the plot's shape, and the equal aspect then widens the range
    again; such a view has its fields computed anew (a few rounds at most).
    """
    view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    view.resize(int(width), int(height))
    view.show()
    settle()
    view.worker.grid = grid
    deadline = time.monotonic() + timeout_ms / 1000
    for _ in range(4):
        view.commit_view()  # the range the equal aspect widened to the plot's shape
        rect = view.session.rect
        _compute_fields(view, rect, deadline)
        view.commit_view()
        if view.bundle is None or view.session.rect == rect:
            break


def _compute_fields(view, rect, deadline: float) -> None:
    """Compute the fields of rect now and wait until they (and overlay jobs) are shown."""
    loop = QEventLoop()
    view.fields_shown.connect(loop.quit)
    view.worker.failed.connect(loop.quit)
    QTimer.singleShot(max(1, int(1000 * (deadline - time.monotonic()))), loop.quit)
    view.worker.request(view.session.objective, rect, now=True)
    loop.exec()  # safe: Qt event loop; the result arrives as a queued signal
    view.fields_shown.disconnect(loop.quit)
    view.worker.failed.disconnect(loop.quit)
    view.worker.wait()
    while view.busy() and time.monotonic() < deadline:  # an overlay's own job (basins)
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.005)
    settle()
