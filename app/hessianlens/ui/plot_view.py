"""The plane: f as a colour image with contours, overlays, trajectories and the start marker."""

from __future__ import annotations

import sys

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPixmapCache
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

from hessianlens import colours
from hessianlens.engine import linalg2
from hessianlens.engine.fields import Rect, not_finite_note, within_plane
from hessianlens.overlay_specs import OVERLAYS
from hessianlens.ui import theme
from hessianlens.ui.field_worker import FieldWorker
from hessianlens.ui.gui_gc import collect_on_gui_thread
from hessianlens.ui.legend import LegendBox
from hessianlens.ui.plane_colours import PlaneColours
from hessianlens.ui.overlays.base import cache_drawing, image_rect, module_of
from hessianlens.ui.repaint_gate import RepaintGate
from hessianlens.ui.session import Session
from hessianlens.ui.still_stack import mark_still, stack_still_layers
from hessianlens.ui.trajectories import TrajectoryLayer
from hessianlens.ui.view_limits import ViewLimits

VIEW_DEBOUNCE_MS = 80
KEY_SHARE = 0.35  # the most of the plane's height its key takes (the rest is counted)
# Python hands the GIL between threads every 5 ms by default. The field job's numpy calls
# release it and then wait for it back while the GUI thread runs Python; at 1 ms the job
# waits less (applying a function: median 168 -> 139 ms in one bench run).
GIL_SWITCH_INTERVAL_S = 0.001
# The plane's still layers are kept as pixmaps at screen size (cache_drawing), 3-5 MB each on a
# large screen: with Qt's default 10 MB cache they evicted one another and every repaint (a
# click, a playback frame) drew the contours and arrows again (11 ms of lines per click).
PIXMAP_CACHE_KB = 160 * 1024


def configure_pyqtgraph() -> None:
    """Global options of the window process (the app and the benchmarks use the same)."""
    # Segmented lines: Qt strokes long antialiased paths (thousands of contour points)
    # tens of times slower than the same segments drawn with drawLines.
    pg.setConfigOptions(antialias=True, imageAxisOrder="row-major", segmentedLineMode="on")
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
    QPixmapCache.setCacheLimit(max(QPixmapCache.cacheLimit(), PIXMAP_CACHE_KB))
    app = QApplication.instance()
    if app is not None and getattr(app, "gui_thread_collector", None) is None:
        collect_on_gui_thread(app)  # garbage with Qt objects is never freed on a worker


class PlaneViewBox(pg.ViewBox):
    """A ViewBox that reports left clicks nobody else took (iterates, the marker) in data units."""

    clicked = Signal(float, float)

    def mouseClickEvent(self, ev):
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            p = self.mapSceneToView(ev.scenePos())
            self.clicked.emit(p.x(), p.y())
        else:
            super().mouseClickEvent(ev)


def describe_point(objective, x: float, y: float) -> str:
    """The status-bar text for the cursor: coordinates, f, det H and the curvature class."""
    d = objective.at((x, y))
    H = d.hessian
    low, high = linalg2.eigenvalues(H[0, 0], H[0, 1], H[1, 1])
    det = linalg2.determinant(H[0, 0], H[0, 1], H[1, 1])
    cls = linalg2.CURVATURE_NAMES[linalg2.curvature_class(low, high)]
    return f"x = {x:.4g}, y = {y:.4g}    f = {d.f:.6g}    det H = {det:.4g}    H {cls}"


class PlotView(QWidget):
    """Draws the session's plane and turns clicks and drags into session changes.

    The overlays are the registered ones (overlay_specs.OVERLAYS), each drawn by the Layer of
    its module: the plane tells each what its spec needs and never calls one by name.
    """

    cursor_info = Signal(str)  # the status-bar text for the point under the cursor
    fields_shown = Signal()  # a new grid (function or view) is on screen
    message = Signal(str)  # a problem to show in the status bar

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.bundle = None
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground(theme.BACKGROUND)
        theme.without_stock_export(self.graphics)
        self.graphics.setToolTip("")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.graphics)

        self.vb = PlaneViewBox()
        self.limits = ViewLimits(self.vb)
        self.plot = pg.PlotItem(viewBox=self.vb)
        self.plot.setLabels(bottom="x", left="y")
        self.plot.hideButtons()
        theme.style_plot(self.plot)
        self.graphics.addItem(self.plot, 0, 0)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(-100)
        self.plot.addItem(self.image)
        self.bar = pg.ColorBarItem(colorMap=pg.colormap.get("viridis"), interactive=False,
                                   values=(0, 1))
        self.bar.setImageItem(self.image)
        theme.style_colour_bar(self.bar, "f")
        theme.align_colour_bar(self.bar, self.plot)
        self.graphics.addItem(self.bar, 0, 1)
        self.contours = pg.PlotDataItem(pen=pg.mkPen(colours.CONTOUR_ON_F, width=1),
                                        connect="finite")
        self.contours.setZValue(-10)
        self.plot.addItem(self.contours)
        for item in (self.image, self.contours):
            cache_drawing(item)
            mark_still(item)
        self.worker = FieldWorker(parent=self)
        self.overlays = {}  # name -> its Layer, in registry order
        for spec in OVERLAYS.values():
            module = module_of(spec)
            layer = self.overlays[spec.name] = module.Layer(spec, self)
            if "payload" in spec.needs:
                self.worker.prepares[spec.name] = module.prepare
            layer.message.connect(self.message)
            layer.changed.connect(self._layer_changed)
        self.colours = PlaneColours(self)
        self.trajectories = TrajectoryLayer(self.plot, session)
        self.marker = pg.TargetItem(pos=session.start, size=18, pen=pg.mkPen("k", width=2),
                                    brush=pg.mkBrush(255, 255, 255, 200), movable=True)
        self.marker.setZValue(100)
        self.plot.addItem(self.marker)
        # The key goes under the plot and its colour bars: it never hides the data.
        self.legend = LegendBox(max_share=KEY_SHARE)
        self.graphics.addItem(self.legend, 1, 0, 1, 2)

        self.gate = RepaintGate(self.graphics, self.graphics.viewport(), parent=self)
        self.worker.ready.connect(self._show_bundle)
        self.worker.failed.connect(self.message)
        self.worker.failed.connect(self.gate.release)
        self._setting_range = False
        self._view_timer = QTimer(self, singleShot=True, interval=VIEW_DEBOUNCE_MS)
        self._view_timer.timeout.connect(self._commit_view)

        self.marker.sigPositionChanged.connect(self._marker_moved)
        self.vb.clicked.connect(self._view_clicked)
        self.vb.sigRangeChanged.connect(self._range_changed)
        self.vb.sigResized.connect(self._zoom_changed)
        self.graphics.scene().sigMouseMoved.connect(self._hover)
        s = session
        s.function_changed.connect(self._function_changed)
        s.view_changed.connect(self._view_changed)
        s.start_point_changed.connect(self._start_changed)
        s.trajectories_changed.connect(self._trajectories_changed)
        s.methods_changed.connect(self._refresh_legend)
        s.step_changed.connect(self._step_changed)
        s.overlays_changed.connect(self._overlays_changed)
        s.selection_changed.connect(self._selection_changed)
        s.options_changed.connect(self._options_changed)

        # Every item is on the plane: the runs of still layers become one pixmap each.
        self.still_stacks = stack_still_layers(self.vb.childGroup)
        self._options_changed()
        self._apply_rect(session.rect)
        self.trajectories.rebuild()
        self._overlays_changed()
        self._request_now()

    def _needing(self, need: str):
        return [layer for name, layer in self.overlays.items()
                if need in OVERLAYS[name].needs]

    # --- fields --------------------------------------------------------------------------
    def _request_now(self) -> None:
        if self.session.objective is not None:  # none before the first build is done
            self.worker.request(self.session.objective, self.session.rect, now=True)

    def _function_changed(self) -> None:
        self._request_now()
        if self.bundle is not None and self.isVisible():
            self.gate.hold()  # the old picture until the new fields arrive

    def when_settled(self, callback) -> None:
        """See RepaintGate.when_settled: the plane first, then the panels."""
        self.gate.when_settled(callback)

    def _show_bundle(self, bundle) -> None:
        if bundle.objective is not self.session.objective:
            return  # computed for a function that has since been replaced
        self.gate.release()
        new_function = self.bundle is None or self.bundle.objective is not bundle.objective
        self.bundle = bundle
        fields = bundle.fields
        if new_function and (note := not_finite_note(fields.f)) is not None:
            self.message.emit(note)
        self.colours.show_f(bundle)
        self.image.setRect(*image_rect(fields.rect, fields.shape))
        px = self.vb.viewPixelSize()
        for name, layer in self.overlays.items():
            needs = OVERLAYS[name].needs
            if "payload" in needs or "fields" in needs:
                layer.update_fields(bundle)
            if "zoom" in needs:
                layer.update_view(px)
        self.fields_shown.emit()

    def f_levels(self, bundle) -> np.ndarray:
        """The levels of f's contour lines in the colour scale shown (the quadratic model
        draws its own lines on the same levels)."""
        return self.colours.f_levels(bundle)

    # --- view range ----------------------------------------------------------------------
    def current_rect(self) -> Rect | None:
        (x0, x1), (y0, y1) = self.vb.viewRange()
        try:
            return Rect(x0, x1, y0, y1)
        except ValueError:
            return None

    def _apply_rect(self, rect: Rect) -> None:
        self.limits.follow(rect)
        self._setting_range = True
        try:
            self.vb.setRange(xRange=(rect.xmin, rect.xmax), yRange=(rect.ymin, rect.ymax), padding=0)
        finally:
            self._setting_range = False
        self._zoom_changed()

    def _range_changed(self, *_args) -> None:
        rect = self.current_rect()
        if rect is None:  # past the usable range: its nearest comes back here as a change
            if self.limits.restore_usable():
                self.message.emit("Zoomed in as far as the plane goes: a side of the view is "
                                  "at least a billionth of its largest coordinate (or 1e-9)")
            return
        self.limits.follow(rect)
        self._zoom_changed()
        if not self._setting_range:
            self._view_timer.start()

    def commit_view(self) -> None:
        """Hand a view change still waiting for the layout to the session now (an export
        lays the view out once and does not wait)."""
        if self._view_timer.isActive():
            self._view_timer.stop()
            self._commit_view()

    def _commit_view(self) -> None:
        rect = self.current_rect()
        if rect is not None:
            self.session.set_view(rect)

    def _view_changed(self) -> None:
        rect = self.session.rect
        current = self.current_rect()
        if current is None or not _close(current, rect):
            self._apply_rect(rect)
            rect = self.current_rect() or rect  # the aspect lock may have widened it
            if rect != self.session.rect:
                # The widened range reaches the session once the layout has settled (the key
                # may change its height with the same change): committed at once, it would be
                # widened again for the plot's passing shape, and creep.
                self._view_timer.start()
                return
        if self.session.objective is not None:
            self.worker.request(self.session.objective, rect)

    def _options_changed(self) -> None:
        if self.colours.log_on() != self.session.log_colour:
            self.colours.scale_changed()
        if bool(self.vb.state["aspectLocked"]) != self.session.equal_aspect:
            self.vb.setAspectLocked(self.session.equal_aspect, ratio=1.0)
            # pyqtgraph keeps its cached pixel size after an aspect change (only setRange and
            # a resize drop it): the arrowheads would keep the old one.
            self.vb.setRange(self.vb.viewRect(), padding=0)

    def _zoom_changed(self, *_args) -> None:
        px = self.vb.viewPixelSize()
        self.trajectories.update_view(px)
        for layer in self._needing("zoom"):
            layer.update_view(px)

    # --- mouse ---------------------------------------------------------------------------
    def _view_clicked(self, x: float, y: float) -> None:
        point = within_plane(x, y)
        if point is not None:
            self.session.set_start(point)

    def _marker_moved(self, *_args) -> None:
        p = self.marker.pos()
        point = within_plane(p.x(), p.y())
        if point != (p.x(), p.y()):  # dragged past the plane's edge (a view of +-1e12)
            self.marker.setPos(*(point or self.session.start))  # comes back here
        elif point != self.session.start:
            self.session.set_start(point)  # re-traces live while dragging

    def _start_changed(self) -> None:
        p = self.marker.pos()
        if (p.x(), p.y()) != self.session.start:
            self.marker.setPos(*self.session.start)

    def _hover(self, scene_pos) -> None:
        if not self.vb.sceneBoundingRect().contains(scene_pos) or self.session.objective is None:
            return
        p = self.vb.mapSceneToView(scene_pos)
        words = [describe_point(self.session.objective, p.x(), p.y())]
        words += [layer.describe(p.x(), p.y()) for layer in self.overlays.values()]
        self.cursor_info.emit("    ".join(w for w in words if w))

    # --- trajectories, overlays, legend ----------------------------------------------------
    def _trajectories_changed(self) -> None:
        self.trajectories.rebuild()
        self._selection_changed()

    def _step_changed(self, _k: int = 0) -> None:
        self.trajectories.update()
        self._selection_changed()

    def _selection_changed(self) -> None:
        for layer in self._needing("selection"):
            layer.update_selection(self.bundle)
        self._refresh_legend()

    def _overlays_changed(self) -> None:
        for name, layer in self.overlays.items():
            layer.apply_settings(self.session.overlay_settings(name))
            layer.set_visible(name in self.session.overlays)
        self.colours.update_cover()
        self._refresh_legend()

    def covering_layer(self):
        """The overlay whose opaque image is seen instead of f's colours, or None."""
        return self.colours.covering_layer()

    def legend_entries(self) -> list[tuple[object, str]]:
        """The key: every method's path, then each shown overlay's entries (the colours of a
        covering image only while it is the one seen)."""
        entries = [(p.sample, p.legend_label()) for p in self.trajectories.paths.values()]
        top = self.covering_layer()
        for name, layer in self.overlays.items():
            if name in self.session.overlays:
                entries += layer.legend
                if layer is top:
                    entries += layer.fill_legend
        return entries

    def _layer_changed(self) -> None:
        self.colours.update_cover()
        self._refresh_legend()
        self.legend.repaint_samples()

    def _refresh_legend(self, *_args) -> None:
        # Room for each path's longest line: the key keeps its columns (and the plot its
        # shape) through playback and drags.
        optional = set().union(*(layer.legend_optional for name, layer in self.overlays.items()
                                 if name in self.session.overlays))
        self.legend.set_entries(self.legend_entries(), {
            p.sample: p.widest_label() for p in self.trajectories.paths.values()}, optional)

    def busy(self) -> bool:
        """True while the fields or an overlay's own job are being computed."""
        return self.worker.busy() or any(layer.busy() for layer in self.overlays.values())

    def idle(self) -> bool:
        """No view change waiting to reach the session and nothing being computed."""
        return not self._view_timer.isActive() and not self.busy()

    def shutdown(self) -> None:
        """Let running jobs finish before the window goes away."""
        self._view_timer.stop()  # no view change reaches a session after its window
        for layer in self.overlays.values():
            layer.shutdown()
        self.worker.wait(5000)


def _close(a: Rect, b: Rect, rtol: float = 1e-9) -> bool:
    scale = max(a.width, a.height, b.width, b.height)
    return all(abs(u - v) <= rtol * scale for u, v in
               ((a.xmin, b.xmin), (a.xmax, b.xmax), (a.ymin, b.ymin), (a.ymax, b.ymax)))
