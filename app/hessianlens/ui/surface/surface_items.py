"""The OpenGL scene: the surface mesh, each method's path, the iterates, the start marker.

Imports pyqtgraph.opengl (and PyOpenGL): only loaded once gl_probe says a context can be made.
A playback step only re-uploads the short arrays of the paths and markers; the mesh is sent to
the graphics card once per surface.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pyqtgraph.opengl as gl
from OpenGL import GL
from PySide6.QtCore import QPointF, QSize
from PySide6.QtGui import QColor, QPainter, QSurfaceFormat, QVector3D, QWindow
from PySide6.QtOpenGL import QOpenGLFramebufferObject, QOpenGLWindow
from pyqtgraph.opengl.GLGraphicsItem import GLGraphicsItem
from pyqtgraph.opengl.GLViewWidget import GLViewMixin

from hessianlens.engine.surface import BOX_HEIGHT, DrapedPath
from hessianlens.ui.surface.surface_worker import SurfaceBundle

CAMERA = {"distance": 3.0, "elevation": 35.0, "azimuth": -110.0}
CAMERA_CENTRE = (0.0, 0.0, 0.4 * BOX_HEIGHT)
BACKGROUND = "w"
# Markers and the hidden parts of paths are drawn without the depth test, so the current
# iterate shows even behind a hill; alpha blending as pyqtgraph's 'translucent'.
ON_TOP = {GL.GL_DEPTH_TEST: False, GL.GL_BLEND: True, GL.GL_CULL_FACE: False,
          "glBlendFunc": (GL.GL_SRC_ALPHA, GL.GL_ONE_MINUS_SRC_ALPHA)}
HIDDEN_ALPHA = 0.3  # a path behind the surface shows faintly through it
PATH_WIDTH, DOT_PX, CURRENT_PX, HALO_PX = 3.0, 5.0, 10.0, 14.0
START_PX, START_HALO_PX = 9.0, 13.0
OUTLINE_RGBA = (0.45, 0.45, 0.45, 1.0)
CONTOUR_RGBA = (1.0, 1.0, 1.0, 0.55)  # the plane's contour lines: white, half transparent
LABEL_RGB = (60, 60, 60)
LABEL_OFFSET = 0.12  # scene units outside the footprint
_EMPTY = np.zeros((0, 3), dtype=np.float32)


def _rgba(colour, alpha: float = 1.0) -> tuple[float, float, float, float]:
    r, g, b, _ = pg.mkColor(colour).getRgbF()
    return r, g, b, alpha


def _set_points(item, pos: np.ndarray) -> None:
    item.setVisible(len(pos) > 0)
    if len(pos):
        item.setData(pos=pos)


def axis_labels(bundle: SurfaceBundle | None) -> list[tuple[np.ndarray, str]]:
    """Scene points and texts that name the view's corners: x along the front edge (y = ymin)
    and y along the left edge (x = xmin), the two edges nearest the default camera."""
    if bundle is None:
        return []
    r = bundle.request.rect
    ex, ey = bundle.mesh.frame.extent()
    d = LABEL_OFFSET
    return [(np.array(p, dtype=float), text) for p, text in (
        ((-ex, -ey - d, 0), f"x = {r.xmin:.3g}"), ((ex, -ey - d, 0), f"x = {r.xmax:.3g}"),
        ((-ex - d, -ey + d, 0), f"y = {r.ymin:.3g}"), ((-ex - d, ey, 0), f"y = {r.ymax:.3g}"))]


def to_pixels(view: gl.GLViewWidget, points, width: int, height: int) -> np.ndarray:
    """Pixel positions (N, 2) of scene points in a width x height picture of the view."""
    m = view.projectionMatrix((0, 0, width, height), (0, 0, width, height)) * view.viewMatrix()
    out = []
    for p in points:
        q = m.map(QVector3D(*map(float, p)))  # perspective division included
        out.append(((q.x() + 1) / 2 * width, (1 - q.y()) / 2 * height))
    return np.array(out, dtype=float).reshape(-1, 2)


def draw_labels(painter: QPainter, view: gl.GLViewWidget, labels, width: int, height: int
                ) -> None:
    """The axis labels, centred on their projected points (screen and exported pictures)."""
    if not labels:
        return
    painter.setPen(QColor(*LABEL_RGB))
    metrics = painter.fontMetrics()
    for (x, y), (_, text) in zip(to_pixels(view, [p for p, _ in labels], width, height), labels):
        w = metrics.horizontalAdvance(text)
        painter.drawText(QPointF(x - w / 2, y + metrics.ascent() / 2), text)


class AxisLabels(GLGraphicsItem):
    """Paints the axis labels over the GL picture with a QPainter, as GLTextItem does."""

    def __init__(self, scene: "SurfaceScene"):
        super().__init__()
        self.scene = scene

    def paint(self):
        view = self.view()
        painter = QPainter(view)
        try:
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            draw_labels(painter, view, axis_labels(self.scene.bundle), view.width(), view.height())
        finally:
            painter.end()


class StillCache:
    """Keeps a GL view's still items (the surface, its contours, the outline) in a framebuffer
    with their depth; per frame it copies them back and draws only the moving items.

    A playback step then costs a copy and a few short lines, not the 130,000 triangles of a
    256 x 256 surface again (with software OpenGL such as Mesa's llvmpipe, tens of ms). The
    cache is redrawn when the camera, the size or a still item changes (mark_still_changed).
    Pictures (renderToArray) draw everything at once, as pyqtgraph does. Mixed into a
    pyqtgraph GLViewMixin view (widget or window).
    """

    still_items: list = []
    _pass = None  # "still" or "moving" while paintGL draws one of them
    _cache = None  # QOpenGLFramebufferObject
    _cache_key = None
    _version = 0
    caching = True  # off for good if this OpenGL cannot copy depth between buffers
    still_redraws = 0  # (tests, benchmarks)

    def mark_still_changed(self) -> None:
        self._version += 1
        self.update()

    def _key(self):
        o, c = self.opts, self.opts["center"]
        return (self.deviceWidth(), self.deviceHeight(), o["distance"], o["elevation"],
                o["azimuth"], o["fov"], c.x(), c.y(), c.z(), o["bgcolor"], self._version)

    def drawItemTree(self, item=None, useItemNames=False):
        if item is not None or self._pass is None:
            return super().drawItemTree(item, useItemNames)
        everything = self.items
        still = self._pass == "still"
        self.items = [i for i in everything if (i in self.still_items) == still]
        try:
            return super().drawItemTree(None, useItemNames)
        finally:
            self.items = everything

    def paintGL(self):
        if not self.caching:
            return super().paintGL()
        region = self.getViewport()
        w, h = self.deviceWidth(), self.deviceHeight()
        target = self.defaultFramebufferObject()
        try:
            if self._cache_key != self._key():
                if self._cache is None or self._cache.size() != QSize(w, h):
                    self._cache = QOpenGLFramebufferObject(
                        w, h, QOpenGLFramebufferObject.Attachment.CombinedDepthStencil)
                self._cache.bind()
                GL.glViewport(0, 0, w, h)
                self._pass = "still"
                self.paint(region=region, viewport=region)
                self._cache_key = self._key()
                self.still_redraws += 1
            GL.glBindFramebuffer(GL.GL_READ_FRAMEBUFFER, self._cache.handle())
            GL.glBindFramebuffer(GL.GL_DRAW_FRAMEBUFFER, target)
            GL.glBlitFramebuffer(0, 0, w, h, 0, 0, w, h,
                                 GL.GL_COLOR_BUFFER_BIT | GL.GL_DEPTH_BUFFER_BIT, GL.GL_NEAREST)
        except GL.GLError:  # no depth copy here: draw every frame whole from now on
            self.caching = False
            self._cache = None
        finally:
            self._pass = None
            GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, target)
            GL.glViewport(0, 0, w, h)
        if not self.caching:
            return super().paintGL()
        self._pass = "moving"
        try:
            self.setProjection(region, region)
            self.setModelview()
            self.drawItemTree()
        finally:
            self._pass = None


class CachedGLView(StillCache, gl.GLViewWidget):
    """The 3D view as a widget (pictures from the command line: it renders while hidden)."""


class CachedGLWindow(StillCache, GLViewMixin, QOpenGLWindow):
    """The 3D view as a native window, placed in the tab with createWindowContainer: it draws
    and swaps alone, so the main window stays a raster window (a QOpenGLWidget would make Qt
    compose the whole window through OpenGL on every frame, the plane included)."""

    def __init__(self, parent: QWindow | None = None):
        super().__init__(parent=parent)
        fmt = QSurfaceFormat()
        fmt.setDepthBufferSize(24)  # as the cache's depth, so the depth can be copied
        fmt.setStencilBufferSize(8)
        self.setFormat(fmt)

    def devicePixelRatioF(self) -> float:  # GLViewMixin asks a widget's question
        return self.devicePixelRatio()


class MethodItems:
    """One method on the surface: its path (visible and hidden parts), iterates, current one."""

    def __init__(self, view: gl.GLViewWidget, colour: str):
        self.view = view
        self.colour = colour
        self.hidden = gl.GLLinePlotItem(mode="lines", width=PATH_WIDTH,
                                        color=_rgba(colour, HIDDEN_ALPHA), glOptions=ON_TOP)
        self.line = gl.GLLinePlotItem(mode="lines", width=PATH_WIDTH, color=_rgba(colour),
                                      glOptions="opaque", antialias=True)
        self.dots = gl.GLScatterPlotItem(size=DOT_PX, color=_rgba(colour), glOptions="opaque")
        self.halo = gl.GLScatterPlotItem(size=HALO_PX, color=(1, 1, 1, 1), glOptions=ON_TOP)
        self.current = gl.GLScatterPlotItem(size=CURRENT_PX, color=_rgba(colour), glOptions=ON_TOP)
        self.items = (self.hidden, self.line, self.dots, self.halo, self.current)
        for depth, item in enumerate(self.items, start=1):
            item.setDepthValue(depth)
            item.setVisible(False)
            view.addItem(item)
        self.path: DrapedPath | None = None
        self.shown_k: int | None = None

    def remove(self) -> None:
        for item in self.items:
            self.view.removeItem(item)

    def set_path(self, path: DrapedPath) -> None:
        self.path = path
        self.shown_k = None

    def show_iterate(self, k: int) -> None:
        """The path from the start to iterate k, with iterate k marked."""
        p = self.path
        if p is None or k == self.shown_k:
            return
        self.shown_k = k
        segments = p.up_to(k)
        _set_points(self.line, segments)
        _set_points(self.hidden, segments)
        shown = p.iterates[: k + 1][p.inside[: k + 1]]
        _set_points(self.dots, shown)
        here = p.iterates[k: k + 1] if p.inside[k] else _EMPTY
        _set_points(self.halo, here)
        _set_points(self.current, here)


class SurfaceScene:
    """A GLViewWidget holding the surface and the paths of a session's methods."""

    def __init__(self, window_parent: QWindow | None = None):
        """window_parent: build the view as a native window (CachedGLWindow) with this parent
        (then C++ owns it, see SurfacePage.build); None: as a widget (CachedGLView)."""
        self.view = CachedGLWindow(window_parent) if window_parent is not None else CachedGLView()
        self.view.setBackgroundColor(BACKGROUND)
        self.surface = gl.GLSurfacePlotItem(computeNormals=False, glOptions="opaque")
        self.surface.setVisible(False)
        self.view.addItem(self.surface)
        self.contours = gl.GLLinePlotItem(mode="lines", width=1.0, color=CONTOUR_RGBA,
                                          glOptions="translucent", antialias=True)
        self.contours.setDepthValue(0.5)
        self.contours.setVisible(False)
        self.view.addItem(self.contours)
        self.outline = gl.GLLinePlotItem(mode="line_strip", width=1.5, color=OUTLINE_RGBA,
                                         glOptions="opaque")
        self.view.addItem(self.outline)
        self.view.still_items = [self.surface, self.contours, self.outline]
        self.labels = AxisLabels(self)
        self.labels.setDepthValue(30)  # painted over everything else
        self.view.addItem(self.labels)
        self.start_halo = gl.GLScatterPlotItem(size=START_HALO_PX, color=(0, 0, 0, 1),
                                               glOptions=ON_TOP)
        self.start = gl.GLScatterPlotItem(size=START_PX, color=(1, 1, 1, 1), glOptions=ON_TOP)
        for depth, item in ((20, self.start_halo), (21, self.start)):
            item.setDepthValue(depth)
            item.setVisible(False)
            self.view.addItem(item)
        self.methods: dict[str, MethodItems] = {}
        self.bundle: SurfaceBundle | None = None
        self.mesh_uploads = 0  # how many surfaces were sent to the scene (tests, benchmarks)
        self.reset_camera()

    # --- the surface -----------------------------------------------------------------------
    def set_surface(self, bundle: SurfaceBundle) -> None:
        mesh = bundle.mesh
        self.bundle = bundle
        self.surface.setData(x=mesh.xs, y=mesh.ys, z=mesh.z, colors=bundle.colours)
        self.surface.setVisible(True)
        self.mesh_uploads += 1
        _set_points(self.contours, bundle.contours)
        ex, ey = mesh.frame.extent()
        self.outline.setData(pos=np.array([[-ex, -ey, 0], [ex, -ey, 0], [ex, ey, 0],
                                           [-ex, ey, 0], [-ex, -ey, 0]], dtype=np.float32))
        self.view.mark_still_changed()

    # --- paths and markers -----------------------------------------------------------------
    def set_paths(self, paths: dict[str, tuple[str, DrapedPath]]) -> None:
        """name -> (colour, draped path) for every enabled method; others are removed."""
        for name in list(self.methods):
            if name not in paths or self.methods[name].colour != paths[name][0]:
                self.methods.pop(name).remove()
        for name, (colour, path) in paths.items():
            items = self.methods.get(name) or self.methods.setdefault(
                name, MethodItems(self.view, colour))
            items.set_path(path)

    def set_start(self, point: np.ndarray | None) -> None:
        """The start marker at a scene point (None: outside the view)."""
        pos = _EMPTY if point is None else np.asarray(point, dtype=np.float32).reshape(1, 3)
        _set_points(self.start_halo, pos)
        _set_points(self.start, pos)

    def show_step(self, iterates: dict[str, int]) -> None:
        """Playback: each method's path up to its iterate (name -> k)."""
        for name, k in iterates.items():
            if name in self.methods:
                self.methods[name].show_iterate(k)

    # --- camera and pictures ---------------------------------------------------------------
    def reset_camera(self) -> None:
        self.view.setCameraPosition(pos=pg.Vector(*CAMERA_CENTRE), **CAMERA)

    def camera(self) -> dict:
        p = self.view.cameraParams()
        c = p["center"]
        return {"distance": p["distance"], "elevation": p["elevation"],
                "azimuth": p["azimuth"], "center": (c.x(), c.y(), c.z())}

    def render_rgba(self, width: int, height: int) -> np.ndarray:
        """The scene at width x height pixels as (height, width, 4) RGBA bytes. The widget must
        have been shown once (its context exists): never call it where gl_probe said no."""
        self.labels.setVisible(False)  # its QPainter would draw on the widget, not the picture
        try:
            bgra = self.view.renderToArray((width, height))
        finally:
            self.labels.setVisible(True)
        return np.ascontiguousarray(bgra[..., [2, 1, 0, 3]])

    def draw_labels(self, painter: QPainter, width: int, height: int) -> None:
        """The axis labels on a picture of width x height pixels (see render_rgba)."""
        draw_labels(painter, self.view, axis_labels(self.bundle), width, height)
