"""The main window: assembles the function editor, the plane, the panels, menus and toolbars."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QGuiApplication, QIcon, QKeySequence
from PySide6.QtWidgets import (QDockWidget, QLabel, QMainWindow, QMenu, QMessageBox,
                               QProgressBar, QTabWidget, QToolBar, QToolButton, QWidget)

from hessianlens import __version__
from hessianlens.resources import resource_path
from hessianlens.ui.basins_panel import BasinsPanel
from hessianlens.ui import settings as stored
from hessianlens.ui.convergence_plot import ConvergencePlot
from hessianlens.ui.export import default_size
from hessianlens.ui.export_dialog import ExportOptions
from hessianlens.ui.function_editor import FunctionEditor
from hessianlens.ui.inspector import InspectorPanel
from hessianlens.ui.methods_panel import MethodsPanel
from hessianlens.ui.overlays import TIPS, TITLES
from hessianlens.ui.playback import Playback
from hessianlens.ui.plot_view import PlotView
from hessianlens.ui.presets import Preset, default_preset, load_presets
from hessianlens.ui.onestep_view import OneStepView
from hessianlens.ui.session import OVERLAYS, Session, default_methods
from hessianlens.ui.surface.surface_view import SurfacePage
from hessianlens.ui.window_files import WindowFiles

TITLE = "Hessian Lens"
OVERLAY_KEYS = {"determinant": "Ctrl+1", "newton_field": "Ctrl+2", "curvature": "Ctrl+3",
                "quadratic_model": "Ctrl+4"}


def session_from_settings(s: QSettings) -> Session:
    """The remembered state where it is valid, the write-up's Example 3 elsewhere."""
    p = default_preset()
    function = stored.read_function(s)
    session = Session(function or p.function, stored.read_rect(s) or p.rect,
                      stored.read_start(s) or p.start, default_methods())
    for name in stored.read_overlays(s):
        session.set_overlay(name, True)
    return session


def window_icon() -> QIcon:
    """The program icon: the SVG where it exists, and the PNG sizes beside it."""
    icon = QIcon()
    for name in ("icons/hessianlens.svg", *(f"icons/hessianlens-{n}.png" for n in (16, 32, 128, 256))):
        path = resource_path(name)
        if path.is_file():
            icon.addFile(str(path))
    return icon


class MainWindow(QMainWindow):
    """Hessian Lens: the plane with its overlays and trajectories, and the panels around it."""

    def __init__(self, session: Session | None = None, settings: QSettings | None = None):
        super().__init__()
        self.settings = settings if settings is not None else stored.app_settings()
        self.session = session if session is not None else session_from_settings(self.settings)
        self.session.setParent(self)
        self.session_name = ""
        self.setWindowTitle(TITLE)
        self.setWindowIcon(window_icon())

        self.plot_view = PlotView(self.session)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.plot_view, "Plane (2D)")
        self.tabs.setTabToolTip(0, "f(x, y) with its overlays and the iterates of every method")
        self.setCentralWidget(self.tabs)
        self.onestep_view = OneStepView()
        page = self.add_page(self.onestep_view, "One step (1D)")
        self.tabs.setTabToolTip(page, "The one-step learning rate eta = 1/f''(w0) of a function "
                                      "of one variable (the second write-up)")
        # OpenGL is imported when this tab is first shown, not at start-up.
        self.surface_page = SurfacePage(self.session)
        page = self.add_page(self.surface_page, "Surface (3D)")
        self.tabs.setTabToolTip(page, "f over the plane's view as a 3D surface, with every "
                                      "method's path on it (rotate and zoom with the mouse)")
        self.surface_page.message.connect(self.show_message)

        # The panels that follow a new function wait for the plane to show it first.
        plane_first = self.plot_view.when_settled
        self.editor = FunctionEditor(self.session, defer=plane_first)
        self.methods_panel = MethodsPanel(self.session)
        self.inspector = InspectorPanel(self.session, defer=plane_first)
        self.convergence = ConvergencePlot(self.session, defer=plane_first)
        self.basins_panel = BasinsPanel(self.plot_view.basins)
        self.docks = {}
        for key, title, widget, area in (
                ("function", "Function", self.editor, Qt.DockWidgetArea.LeftDockWidgetArea),
                ("methods", "Methods", self.methods_panel, Qt.DockWidgetArea.LeftDockWidgetArea),
                ("inspector", "Inspector", self.inspector, Qt.DockWidgetArea.RightDockWidgetArea),
                ("convergence", "Convergence", self.convergence,
                 Qt.DockWidgetArea.RightDockWidgetArea),
                ("basins", "Basins", self.basins_panel, Qt.DockWidgetArea.LeftDockWidgetArea)):
            dock = QDockWidget(title, self)
            dock.setObjectName(f"dock_{key}")
            dock.setWidget(widget)
            self.addDockWidget(area, dock)
            self.docks[key] = dock
        self.tabifyDockWidget(self.docks["methods"], self.docks["basins"])
        self.docks["methods"].raise_()

        self.playback = Playback(self.session, self)
        self.cursor_label = QLabel()
        self.cursor_label.setToolTip("Coordinates, f, det H and the curvature class under the cursor")
        self.statusBar().addPermanentWidget(self.cursor_label)
        self.plot_view.cursor_info.connect(self.cursor_label.setText)
        self._make_basins_progress()
        self.plot_view.message.connect(self.show_message)
        self.session.function_error.connect(
            lambda exc: self.show_message(f"Not a function: {exc.message}"))
        self.session.trajectories_changed.connect(self._trajectories_changed)

        self.files = WindowFiles(self)
        self._make_actions()
        self._make_menus()
        self._make_toolbars()
        screen = QGuiApplication.primaryScreen()
        area = screen.availableGeometry() if screen is not None else None
        self.resize(min(1600, int(0.95 * area.width())) if area else 1400,
                    min(1000, int(0.95 * area.height())) if area else 900)
        self.resizeDocks([self.docks["function"], self.docks["inspector"]], [330, 400],
                         Qt.Orientation.Horizontal)
        self._restore_window()
        self._docks_shown_on_plane: list[QDockWidget] = []
        self.tabs.currentChanged.connect(self._page_changed)

    def _page_changed(self, index: int) -> None:
        """The docks and toolbars belong to the plane (and its 3D surface): hide them on the 1D
        page, restore after."""
        page = self.tabs.widget(index)
        self.surface_page.set_current(page is self.surface_page)
        plane = page in (self.plot_view, self.surface_page)
        if not plane and not self._docks_shown_on_plane:
            self._docks_shown_on_plane = [d for d in self.docks.values() if d.isVisible()]
            for dock in self._docks_shown_on_plane:
                dock.hide()
        elif plane:
            for dock in self._docks_shown_on_plane:
                dock.show()
            self._docks_shown_on_plane = []
        for bar in self.findChildren(QToolBar):
            bar.setEnabled(plane)

    # --- actions, menus, toolbars ----------------------------------------------------------
    def _action(self, text, tip, slot=None, keys=None, checkable=False, checked=False) -> QAction:
        a = QAction(text, self)
        a.setToolTip(tip)
        a.setStatusTip(tip)
        if keys:
            a.setShortcut(QKeySequence(keys))
        if checkable:
            a.setCheckable(True)
            a.setChecked(checked)
        if slot is not None:
            (a.toggled if checkable else a.triggered).connect(slot)
        return a

    def _make_actions(self) -> None:
        self.overlay_actions = {}
        for name in OVERLAYS:
            a = self._action(TITLES[name], TIPS[name], keys=OVERLAY_KEYS[name], checkable=True,
                             checked=name in self.session.overlays)
            a.toggled.connect(lambda on, n=name: self.session.set_overlay(n, on))
            self.overlay_actions[name] = a
        self.session.overlays_changed.connect(self._sync_overlay_actions)
        basins = self.plot_view.basins
        self.basins_action = self._action(
            "Basins of attraction", "Colour every start of a grid over the view by where a rule "
            "takes it (rule, comparison and grid in the Basins panel)", self._toggle_basins,
            keys="Ctrl+5", checkable=True, checked=basins.enabled)
        basins.enabled_changed.connect(self.basins_action.setChecked)
        self.normalized_action = self._action(
            "Normalized Newton arrows", "Draw every Newton arrow the same length (off: the true "
            "step, whose tip is where a full Newton step lands)", self.plot_view.set_newton_normalized,
            checkable=True, checked=stored.read_bool(self.settings, "newton_normalized", True))
        self.aspect_action = self._action(
            "Equal aspect", "Keep one unit of x as long as one unit of y on screen",
            self.plot_view.set_equal_aspect, keys="Ctrl+Shift+A", checkable=True,
            checked=stored.read_bool(self.settings, "equal_aspect", False))
        self.plot_view.set_newton_normalized(self.normalized_action.isChecked())
        self.plot_view.set_equal_aspect(self.aspect_action.isChecked())
        self.save_image_action = self.files.export_image_action
        self.export_action = self.files.export_trajectories_action
        self.quit_action = self._action("Quit", "Close Hessian Lens", self.close, keys="Ctrl+Q")
        self.about_action = self._action("About Hessian Lens", "Version and purpose", self.about,
                                         keys="F1")

    def _make_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        for a in self.files.actions():
            if a is None:
                file_menu.addSeparator()
            elif isinstance(a, QMenu):
                file_menu.addMenu(a)
            else:
                file_menu.addAction(a)
        file_menu.addAction(self.surface_page.export_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        view = bar.addMenu("&View")
        for a in self.overlay_actions.values():
            view.addAction(a)
        view.addAction(self.basins_action)
        view.addSeparator()
        view.addAction(self.normalized_action)
        view.addAction(self.aspect_action)
        view.addAction(self.surface_page.reset_camera_action)
        view.addSeparator()
        for dock in self.docks.values():
            view.addAction(dock.toggleViewAction())
        play = bar.addMenu("&Playback")
        for a in self.playback.actions:
            play.addAction(a)
        presets = bar.addMenu("P&resets")
        for preset in load_presets():
            a = self._action(preset.name, f"{preset.function}\n{preset.note}",
                             lambda _=False, p=preset: self.apply_preset(p))
            presets.addAction(a)
        presets.setToolTipsVisible(True)
        bar.addMenu("&Help").addAction(self.about_action)

    def _make_toolbars(self) -> None:
        overlays = QToolBar("Overlays", self)
        overlays.setObjectName("toolbar_overlays")
        for a in self.overlay_actions.values():
            overlays.addAction(a)
        overlays.addAction(self.basins_action)
        overlays.addSeparator()
        overlays.addAction(self.normalized_action)
        overlays.addAction(self.aspect_action)
        self.addToolBar(overlays)
        play = QToolBar("Playback", self)
        play.setObjectName("toolbar_playback")
        for a in self.playback.actions:
            play.addAction(a)
        play.addWidget(self.playback.speed)
        play.addWidget(self.playback.counter)
        self.addToolBar(play)

    def _make_basins_progress(self) -> None:
        """A progress bar and Cancel in the status bar, shown while basins are computed."""
        basins = self.plot_view.basins
        self.basins_progress = QProgressBar()
        self.basins_progress.setMaximumWidth(160)
        self.basins_progress.setFormat("basins %p%")
        self.basins_cancel = QToolButton()
        self.basins_cancel.setText("Cancel")
        self.basins_cancel.setToolTip("Stop computing the basins of attraction")
        self.basins_cancel.clicked.connect(basins.cancel)
        for w in (self.basins_progress, self.basins_cancel):
            w.setVisible(False)
            self.statusBar().addPermanentWidget(w)
        basins.progress.connect(lambda done, total: (self.basins_progress.setMaximum(total),
                                                     self.basins_progress.setValue(done)))

        def running(on: bool) -> None:
            self.basins_progress.setValue(0)
            self.basins_progress.setVisible(on)
            self.basins_cancel.setVisible(on)
        basins.running_changed.connect(running)

    def _toggle_basins(self, on: bool) -> None:
        self.plot_view.basins.set_enabled(on)
        if on:
            self.docks["basins"].show()
            self.docks["basins"].raise_()

    def _sync_overlay_actions(self) -> None:
        for name, a in self.overlay_actions.items():
            if a.isChecked() != (name in self.session.overlays):
                a.setChecked(name in self.session.overlays)

    # --- pages, presets, messages -------------------------------------------------------------
    def add_page(self, widget: QWidget, title: str) -> int:
        """Add a tab beside the plane (the 1D page, say); returns its index."""
        return self.tabs.addTab(widget, title)

    def set_session_name(self, name: str) -> None:
        self.session_name = name
        self.update_title()

    def update_title(self, *_args) -> None:
        """'Hessian Lens \u2014 name', with Qt's [*] unsaved-changes marker while there are any."""
        title = f"{TITLE} \u2014 {self.session_name}" if self.session_name else TITLE
        modified = self.files.modified
        self.setWindowTitle(f"{title}[*]" if modified else title)
        self.setWindowModified(modified)

    def apply_preset(self, preset: Preset) -> None:
        self.playback.set_playing(False)
        if self.session.load(preset.function, preset.rect, preset.start,
                             preset.learning_rates) is None:
            self.files.forget_path()
            self.set_session_name(preset.name)
            self.show_message(preset.note)

    def show_message(self, text: str, msecs: int = 8000) -> None:
        self.statusBar().showMessage(text, msecs)

    def _trajectories_changed(self) -> None:
        words = [f"{name}: {t.message}" for name, t in self.session.trajectories.items()]
        self.statusBar().setToolTip("\n".join(words))

    def about(self) -> None:
        QMessageBox.about(self, f"About {TITLE}",
                          f"<b>{TITLE}</b> {__version__}<p>See why the Hessian gives the optimal "
                          "learning rate, and when it betrays you: gradient descent and Newton's "
                          "method side by side on a function you type, with det H, the Newton "
                          "step field and the curvature classes over the plane.</p>")

    # --- files ---------------------------------------------------------------------------------
    def save_picture(self, path: str | None = None) -> bool:
        """The plane as a PNG at twice its on-screen size (File > Export image without asking)."""
        options = ExportOptions("png", *default_size(self.plot_view)) if path else None
        return self.files.export_image(path, options)

    def export_trajectories(self, path: str | None = None) -> bool:
        return self.files.export_trajectories(path)

    # --- settings ------------------------------------------------------------------------------
    def _restore_window(self) -> None:
        geometry = stored.read_bytes(self.settings, "geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = stored.read_bytes(self.settings, "window_state")
        if state is not None:
            self.restoreState(state)

    def save_settings(self) -> None:
        s = self.session
        stored.write_state(self.settings, s.function_text, s.rect, s.start, s.overlays,
                           geometry=self.saveGeometry(), window_state=self.saveState(),
                           equal_aspect=self.aspect_action.isChecked(),
                           newton_normalized=self.normalized_action.isChecked())

    def closeEvent(self, event) -> None:
        self.playback.set_playing(False)
        if not self.files.confirm_discard():  # Cancel, or a save that did not happen
            event.ignore()
            return
        self.save_settings()
        self.plot_view.shutdown()
        self.surface_page.shutdown()
        super().closeEvent(event)
