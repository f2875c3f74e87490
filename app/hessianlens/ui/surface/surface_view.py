"""The "Surface (3D)" tab: follows the session, builds its OpenGL view on first show.

Until the tab is first shown nothing of OpenGL is imported (start-up does not pay for it);
then gl_probe checks that a context can be made, and the tab either builds the scene or says
in one line why it cannot. While the tab is hidden it only notes what changed.
"""

from __future__ import annotations

import html
import threading

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QWindow
from PySide6.QtWidgets import (QComboBox, QFileDialog, QHBoxLayout, QLabel, QSizePolicy,
                               QToolButton, QVBoxLayout, QWidget)

from hessianlens.engine.surface import CLIP, LOG, drape_path
from hessianlens.ui.session import Session
from hessianlens.ui.surface import surface_export
from hessianlens.ui.surface.gl_probe import gl_status
from hessianlens.ui.surface.surface_worker import (COLOUR_CURVATURE, COLOUR_F, GRID, GRIDS,
                                                   SurfaceBundle, SurfaceRequest, SurfaceWorker)
from hessianlens.ui.trajectories import method_label

COLOUR_WORDS = {COLOUR_F: "colour f as on the plane (viridis)",
                COLOUR_CURVATURE: "colour: H positive definite (green), indefinite (grey), "
                                  "negative definite (red)"}
HINT = "drag: rotate, wheel: zoom, middle drag: pan"


def _preload_opengl() -> None:
    """Import what the 3D view draws with (a worker thread: the imports are pure Python and
    ctypes; a failure is reported by gl_probe on the GUI thread)."""
    try:
        import pyqtgraph.opengl  # noqa: F401
    except Exception:  # noqa: BLE001 - gl_probe says why in the tab
        pass


class SurfacePage(QWidget):
    """f over the session's view as a surface, with every enabled method's path on it."""

    message = Signal(str)  # for the status bar
    surface_shown = Signal()  # a new surface is in the scene (tests, benchmarks)

    def __init__(self, session: Session, parent: QWidget | None = None,
                 native_window: bool = True):
        super().__init__(parent)
        self.session = session
        # A native OpenGL window in the tab (see surface_items.CachedGLWindow); the command
        # line's pictures use a widget, which renders without being on screen.
        self.native_window = native_window
        self.scene = None  # SurfaceScene once built
        self.gl_widget = None  # the scene's widget in the layout
        self.status = None  # GLStatus once probed
        self.grid, self.height_mode, self.colour_mode = GRID, CLIP, COLOUR_F
        self._stale = {"surface", "paths"}
        self.worker = SurfaceWorker(parent=self)
        self.worker.ready.connect(self._surface_ready)
        self.worker.failed.connect(self.message)

        self.notice = QLabel("The 3D view is built when this tab is first shown.")
        self.notice.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.notice.setWordWrap(True)
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.reset_camera_action = self._action("Reset camera", "Look at the surface from the "
                                                "starting angle again", self.reset_camera,
                                                "Ctrl+0")
        self.export_action = self._action("Export 3D view...", "Save the 3D view as shown, with "
                                          "its legend, as a PNG image", self.export_png)
        self.controls = self._make_controls()
        self.controls.setVisible(False)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.addWidget(self.controls)
        self.layout_.addWidget(self.notice, 1)
        self.layout_.addWidget(self.legend)
        self.legend.setVisible(False)

        s = session
        s.function_changed.connect(lambda: self._changed("surface"))
        s.view_changed.connect(lambda: self._changed("surface"))
        s.options_changed.connect(self._options_changed)
        s.trajectories_changed.connect(lambda: self._changed("paths"))
        s.step_changed.connect(self._step_changed)

    def _options_changed(self) -> None:
        """Log colours on or off colour the surface anew (equal aspect changes nothing here)."""
        bundle = self.scene.bundle if self.scene is not None else None
        if bundle is not None and bundle.request.log_colour != self.session.log_colour:
            self._changed("surface")

    def _action(self, text, tip, slot, keys=None) -> QAction:
        a = QAction(text, self)
        a.setToolTip(tip)
        a.setStatusTip(tip)
        if keys:
            a.setShortcut(QKeySequence(keys))
        a.triggered.connect(lambda _=False: slot())
        a.setEnabled(False)
        return a

    def _make_controls(self) -> QWidget:
        """Colour, height and grid, then Reset camera and Export: short texts (the tooltips
        say more), and a row that never widens the window (at 1366 px the docks must fit)."""
        bar = QWidget()
        bar.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        row = QHBoxLayout(bar)
        row.setContentsMargins(6, 4, 6, 0)
        self.colour_box = self._combo(
            "Colour of the surface: f as on the plane (viridis on the same range), or the "
            "curvature class of H (green: positive definite, grey: indefinite, red: negative "
            "definite)", [("f colours", COLOUR_F), ("curvature", COLOUR_CURVATURE)],
            self.set_colour_mode)
        self.height_box = self._combo(
            "Height of the surface: f, clipped where it runs far beyond the plane's colour range "
            "(poles), or log10(1 + (f - min f) / s), which keeps huge ranges (Rosenbrock, "
            "Beale) readable", [("f height", CLIP), ("log f height", LOG)], self.set_height_mode)
        self.grid_box = self._combo("Samples per axis of the surface",
                                    [(f"{n}²", n) for n in GRIDS], self.set_grid)
        self.grid_box.setCurrentIndex(GRIDS.index(GRID))
        for box in (self.colour_box, self.height_box, self.grid_box):
            row.addWidget(box)
        row.addStretch(1)
        for action in (self.reset_camera_action, self.export_action):
            button = QToolButton()
            button.setDefaultAction(action)
            row.addWidget(button)
        return bar

    def _combo(self, tip: str, items, slot) -> QComboBox:
        box = QComboBox()
        box.setToolTip(tip)
        for text, data in items:
            box.addItem(text, data)
        box.currentIndexChanged.connect(lambda _i, b=box: slot(b.currentData()))
        return box

    # --- building ---------------------------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.status is None:
            self.build()
        self._catch_up()

    def build(self) -> bool:
        """Probe OpenGL and build the scene (once); False, with the reason shown, if not."""
        if self.status is not None:
            return self.scene is not None
        # While this thread makes a test context, PyOpenGL and pyqtgraph.opengl are imported
        # in another and the first surface is computed in the worker: the first frame waits
        # for the longest of the three, not for their sum.
        preload = threading.Thread(target=_preload_opengl, daemon=True)
        preload.start()
        self._request(now=True)
        self.status = gl_status()
        preload.join()
        if not self.status.available:
            self.notice.setText(f"The 3D view is not available here: {self.status.reason}.")
            return False
        from hessianlens.ui.surface.surface_items import SurfaceScene

        if self.native_window:
            # Built with a parent, so that C++ owns the window: the container deletes it,
            # and Python must not delete it a second time (PySide would, owning a parentless
            # QWindow that createWindowContainer took over).
            self._window_holder = QWindow()
            self.scene = SurfaceScene(window_parent=self._window_holder)
            self.gl_widget = QWidget.createWindowContainer(self.scene.view, self)
        else:
            self.scene = SurfaceScene()
            self.gl_widget = self.scene.view
        self.gl_widget.setMinimumSize(200, 150)
        self.gl_widget.setToolTip(f"f over the plane's view in 3D ({HINT}); {self.status.reason}")
        self.layout_.replaceWidget(self.notice, self.gl_widget)
        self.notice.setVisible(False)
        self.layout_.setStretchFactor(self.gl_widget, 1)
        self.controls.setVisible(True)
        self.legend.setVisible(True)
        self._stale.discard("surface")
        for action in (self.reset_camera_action, self.export_action):
            action.setEnabled(True)
        return True

    def _active(self) -> bool:
        return self.scene is not None and self.isVisible()

    def _changed(self, what: str) -> None:
        self._stale.add(what)
        if self._active():
            self._catch_up()

    def _catch_up(self) -> None:
        if self.scene is None:
            return
        if "surface" in self._stale:
            self._stale.discard("surface")
            self._request(now=self.scene.bundle is None)
        if "paths" in self._stale:
            self._drape()
        elif "step" in self._stale:
            self._step_changed()

    # --- settings of the tab --------------------------------------------------------------
    def set_colour_mode(self, mode: str) -> None:
        self.colour_mode = mode
        self._changed("surface")

    def set_height_mode(self, mode: str) -> None:
        self.height_mode = mode
        self._changed("surface")

    def set_grid(self, n: int) -> None:
        self.grid = int(n)
        self._changed("surface")

    def _request(self, now: bool = False) -> None:
        s = self.session
        if s.objective is None:
            return  # the first function is still being built: function_changed follows
        self.worker.request(SurfaceRequest(s.objective, s.rect, self.grid, self.height_mode,
                                           self.colour_mode, s.log_colour), now=now)

    # --- drawing ----------------------------------------------------------------------------
    def _surface_ready(self, bundle: SurfaceBundle) -> None:
        if self.scene is None or bundle.objective is not self.session.objective:
            return  # computed for a function that has since been replaced
        self.scene.set_surface(bundle)
        self._drape()
        self.surface_shown.emit()

    def _drape(self) -> None:
        """Lay every enabled method's path and the start point on the current surface."""
        bundle = self.scene.bundle if self.scene is not None else None
        s = self.session
        if bundle is None or bundle.objective is not s.objective:
            self._stale.add("paths")  # drawn when the new function's surface arrives
            return
        self._stale.discard("paths")
        mesh = bundle.mesh
        paths = {}
        for name, traj in s.trajectories.items():
            path = drape_path(s.objective, traj.points, mesh.frame, mesh.scale, bundle.cell)
            paths[name] = (s.methods[name].colour, path)
        self.scene.set_paths(paths)
        start = drape_path(s.objective, np.array([s.start]), mesh.frame, mesh.scale, bundle.cell)
        self.scene.set_start(start.iterates[0] if start.inside[0] else None)
        self._step_changed()

    def _step_changed(self, *_args) -> None:
        """Playback: only the paths and markers move; the surface stays as it is."""
        if not self._active() or "paths" in self._stale:
            self._stale.add("step")
            return
        self._stale.discard("step")
        s = self.session
        self.scene.show_step({name: min(s.step, t.steps_taken)
                              for name, t in s.trajectories.items()})
        self._update_legend()

    def legend_entries(self) -> list[tuple[str, str]]:
        """(colour, label) per enabled method, as in the plane's legend."""
        s = self.session
        return [(s.methods[name].colour, method_label(s, name)) for name in s.trajectories]

    def caption(self) -> str:
        """What height and colour show."""
        bundle = self.scene.bundle if self.scene is not None else None
        if bundle is None:
            return ""
        lo, hi = bundle.f_range
        colour = COLOUR_WORDS[bundle.request.colour_mode]
        if bundle.request.colour_mode == COLOUR_F and bundle.request.log_colour:
            colour += ", log scale"  # the plane's bar names its values
        elif bundle.request.colour_mode == COLOUR_F:
            colour += f" on [{lo:.4g}, {hi:.4g}]"
        return f"{bundle.mesh.scale.describe()}; {colour}"

    def _update_legend(self) -> None:
        parts = [f"<span style='color:{c}'>\u25a0</span>&nbsp;{html.escape(label)}"
                 for c, label in self.legend_entries()]
        caption = html.escape(self.caption())
        self.legend.setText("&nbsp;&nbsp;&nbsp; ".join(parts)
                            + f"<br><span style='color:#555'>{caption}; {HINT}</span>")
        # The legend may grow but never shrinks: a playback step ("step 3" after "converged
        # to a saddle, 5 steps") must not resize the 3D view, which would redraw its surface.
        height = self.legend.heightForWidth(max(self.legend.width(), 1))
        if height > self.legend.minimumHeight():
            self.legend.setMinimumHeight(height)

    # --- actions --------------------------------------------------------------------------
    def reset_camera(self) -> None:
        if self.scene is not None:
            self.scene.reset_camera()

    def set_current(self, shown: bool) -> None:
        """The window tells the tab whether it is the current page (its actions follow)."""
        for action in (self.reset_camera_action, self.export_action):
            action.setEnabled(shown and self.scene is not None)

    def export_png(self, path: str | None = None, size: tuple[int, int] | None = None) -> bool:
        """Save the 3D view with its legend as a PNG (at twice the on-screen size unless
        given); asks for a file name when none is given. Reports in the status bar."""
        if self.scene is None or self.scene.bundle is None:
            self.message.emit("The 3D view has no surface to export yet")
            return False
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Export 3D view", "surface.png",
                                                  "PNG images (*.png)")
            if not path:
                return False
            if not path.lower().endswith(".png"):
                path += ".png"
        width, height = size or surface_export.default_size(self.gl_widget.width(),
                                                            self.gl_widget.height())
        try:
            surface_export.save_png(self.scene, self.legend_entries(), self.caption(), path,
                                    width, height)
        except (OSError, ValueError, MemoryError) as exc:
            self.message.emit(f"Could not export the 3D view: "
                              f"{getattr(exc, 'strerror', None) or exc}")
            return False
        self.message.emit(f"Saved the 3D view to {path} ({width} \u00d7 {height})")
        return True

    def shutdown(self) -> None:
        """Let a running surface job finish before the window goes away."""
        self.worker.wait(5000)
