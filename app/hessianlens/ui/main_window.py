"""The main window: assembles the function editor, the plane, the panels, menus and toolbars."""

from __future__ import annotations

from importlib import import_module

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (QDockWidget, QLabel, QMainWindow, QMenu, QMessageBox,
                               QTabWidget, QToolBar, QWidget)

from hessianlens import __version__
from hessianlens.overlay_specs import OVERLAYS
from hessianlens.ui import dock_layout, theme
from hessianlens.ui import settings as stored
from hessianlens.ui.convergence_plot import ConvergencePlot
from hessianlens.ui.dimensions import LazyPage
from hessianlens.ui.export import default_size
from hessianlens.ui.export_dialog import ExportOptions
from hessianlens.ui.fit_view import ViewFitter
from hessianlens.ui.function_editor import FunctionEditor
from hessianlens.ui.inspector import InspectorPanel
from hessianlens.ui.job_progress import JobProgress
from hessianlens.ui.methods_panel import MethodsPanel
from hessianlens.ui.playback import Playback
from hessianlens.ui.plot_view import PlotView
from hessianlens.ui.presets import Preset, load_presets
from hessianlens.ui.builds import LatestBuilder
from hessianlens.ui.rates_panel import RatesPanel
from hessianlens.ui.sweep_panel import SweepPanel
from hessianlens.ui.session import Session
from hessianlens.ui.icon import window_icon
from hessianlens.ui.session_io import open_default_if_refused, session_from_settings
from hessianlens.ui.surface.surface_view import SurfacePage
from hessianlens.ui.trajectories import TRACE_SECONDS, out_of_time_note
from hessianlens.ui.window_files import WindowFiles

TITLE = "Hessian Lens"


class MainWindow(QMainWindow):
    """Hessian Lens: the plane with its overlays and trajectories, and the panels around it."""

    def __init__(self, session: Session | None = None, settings: QSettings | None = None):
        super().__init__()
        self.settings = settings if settings is not None else stored.app_settings()
        # The window's function is built off the GUI thread: the window shows at once and
        # its first function follows (see Session).
        self.session = session if session is not None else \
            session_from_settings(self.settings, LatestBuilder())
        self.session.setParent(self)
        self.session.trace_seconds = TRACE_SECONDS  # a click answers within about a second
        self.session.function_error.connect(lambda e: open_default_if_refused(self.session, e))
        self.session_name = ""
        self.setWindowTitle(TITLE)
        self.setWindowIcon(window_icon())

        self.plot_view = PlotView(self.session)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.plot_view, "Plane (2D)")
        self.tabs.setTabToolTip(0, "f(x, y) with its overlays and the iterates of every method")
        self.setCentralWidget(self.tabs)
        # The 1D page is built the first time it is shown (or asked for): start-up does not
        # pay for it. Its state is the session's: saved in session files and remembered.
        self.onestep_page = LazyPage(self._make_onestep_view)
        self.session.onestep_changed.connect(self._onestep_changed)
        page = self.add_page(self.onestep_page, "One step (1D)")
        self.tabs.setTabToolTip(page, "The one-step learning rate eta = 1/f''(w0) of a function "
                                      "of one variable (the second write-up)")
        # OpenGL is imported when this tab is first shown, not at start-up.
        self.surface_page = SurfacePage(self.session)
        page = self.add_page(self.surface_page, "Surface (3D)")
        self.tabs.setTabToolTip(page, "f over the plane's view as a 3D surface, with every "
                                      "method's path on it (rotate and zoom with the mouse)")
        self.surface_page.message.connect(self.show_message)
        self.dimensions_page = LazyPage(self._make_dimensions_view)
        page = self.add_page(self.dimensions_page, "Dimensions")
        self.tabs.setTabToolTip(page, "Is the Hessian worth it as the dimension grows? Time to "
                                      "tolerance against n for Newton, BFGS, L-BFGS, Newton-CG "
                                      "and first-order methods")

        # The panels that follow a new function wait for the plane to show it first.
        plane_first = self.plot_view.when_settled
        self.editor = FunctionEditor(self.session, defer=plane_first)
        self.methods_panel = MethodsPanel(self.session)
        self.inspector = InspectorPanel(self.session, defer=plane_first)
        self.convergence = ConvergencePlot(self.session, defer=plane_first)
        self.rates_panel = RatesPanel(self.session, defer=plane_first)
        self.sweep_panel = SweepPanel(self.session)
        # An overlay with a panel (its spec names the module) gets a dock beside the methods.
        self.overlay_panels = {
            spec.name: import_module(spec.panel).Panel(self.plot_view.overlays[spec.name],
                                                       self.session)
            for spec in OVERLAYS.values() if spec.panel}
        left, right = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea
        self.docks = {}
        for key, title, widget, area in (
                ("function", "Function", self.editor, left),
                ("methods", "Methods", self.methods_panel, left),
                ("inspector", "Inspector", self.inspector, right),
                ("convergence", "Convergence", self.convergence, right),
                ("rates", "Rates", self.rates_panel, right),
                ("sweep", "Sweep", self.sweep_panel, right),
                *((name, OVERLAYS[name].panel_title, panel, left)
                  for name, panel in self.overlay_panels.items())):
            dock = QDockWidget(title, self)
            dock.setObjectName(f"dock_{key}")
            dock.setWidget(widget)
            self.addDockWidget(area, dock)
            self.docks[key] = dock
        # Rates and Sweep (in the right-hand tabs) idle while behind a tab, wake when in front.
        for key, panel in (("rates", self.rates_panel), ("sweep", self.sweep_panel)):
            panel.set_active(False)
            self.docks[key].visibilityChanged.connect(panel.set_active)

        self.playback = Playback(self.session, self)
        self.cursor_label = QLabel()
        self.cursor_label.setToolTip("Coordinates, f, det H and the curvature class under the cursor")
        self.statusBar().addPermanentWidget(self.cursor_label)
        self.plot_view.cursor_info.connect(self.cursor_label.setText)
        # A progress bar and Cancel per overlay that computes on its own (the basins).
        self.job_progress = {}
        for name, layer in self.plot_view.overlays.items():
            if layer.job is not None:
                widget = self.job_progress[name] = JobProgress(layer.job, layer.cancel,
                                                               name.replace("_", " "))
                self.statusBar().addPermanentWidget(widget)
        self.job_progress["sweep"] = JobProgress(self.sweep_panel.job, self.sweep_panel.cancel,
                                                 "sweep")
        self.statusBar().addPermanentWidget(self.job_progress["sweep"])
        self.plot_view.message.connect(self.show_message)
        self.session.function_error.connect(
            lambda exc: self.show_message(f"Not a function: {exc.message}"))
        self.session.trajectories_changed.connect(self._trajectories_changed)

        self.fitter = ViewFitter(self.session, self)
        self.fitter.message.connect(self.show_message)
        self.files = WindowFiles(self)
        self._make_actions()
        self._make_menus()
        self._make_toolbars()
        screen = QGuiApplication.primaryScreen()
        area = screen.availableGeometry() if screen is not None else None
        self.resize(min(1600, int(0.95 * area.width())) if area else 1400,
                    min(1000, int(0.95 * area.height())) if area else 900)
        # The docks are arranged for the window's size when it is first shown, unless the
        # user's own arrangement was remembered (ui/dock_layout.py).
        self._docks_arranged = self._restore_window()
        if not self._docks_arranged:
            dock_layout.group(self, list(self.docks.values()))
        self.away = dock_layout.DocksAway(self, self.tabs, self.docks)
        self.tabs.currentChanged.connect(self._page_changed)

    def _page_changed(self, index: int) -> None:
        """The docks and toolbars belong to the plane (and its 3D surface): hide them on the 1D
        page, restore after (dock_layout.DocksAway)."""
        page = self.tabs.widget(index)
        self.surface_page.set_current(page is self.surface_page)
        plane = page in (self.plot_view, self.surface_page)
        if plane:
            self.away.come_back()
        else:
            self.away.leave()
        for bar in self.findChildren(QToolBar):
            bar.setEnabled(plane)

    # --- actions, menus, toolbars ----------------------------------------------------------
    def _action(self, text, tip, slot=None, keys=None, checkable=False, checked=False) -> QAction:
        a = QAction(text, self)
        a.setToolTip(tip)
        a.setStatusTip(theme.status_tip(tip))
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
        self.setting_actions = {}  # (overlay, setting) -> a View-menu toggle
        for spec in OVERLAYS.values():
            a = self._action(spec.title, spec.tooltip, keys=spec.shortcut, checkable=True,
                             checked=spec.name in self.session.overlays)
            a.setIconText(spec.toolbar_title)
            a.toggled.connect(lambda on, n=spec.name: self._overlay_toggled(n, on))
            self.overlay_actions[spec.name] = a
            for param in (p for p in spec.settings if p.name in spec.menu_settings):
                self.setting_actions[spec.name, param.name] = self._action(
                    param.title, param.help, lambda on, n=spec.name, k=param.name:
                    self.session.configure_overlay(n, **{k: bool(on)}), checkable=True,
                    checked=self.session.overlay_settings(spec.name)[param.name])
        self.session.overlays_changed.connect(self._sync_overlay_actions)
        self.aspect_action = self._action(
            "Equal aspect", "Keep one unit of x as long as one unit of y on screen",
            self.session.set_equal_aspect, keys="Ctrl+Shift+A", checkable=True,
            checked=self.session.equal_aspect)
        self.log_action = self._action(
            "Log colour scale", "Colour f on a log scale (log10(1 + (f - min f)/s)): the "
            "valleys of Rosenbrock or Beale, a thousandth of their range deep, show",
            self.session.set_log_colour, keys="Ctrl+L", checkable=True,
            checked=self.session.log_colour)
        self.log_action.setIconText("Log colours")
        self.session.options_changed.connect(lambda: (  # setChecked(same) emits nothing
            self.aspect_action.setChecked(self.session.equal_aspect),
            self.log_action.setChecked(self.session.log_colour)))
        self.fit_action = self.fitter.action
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
        view.addSeparator()
        for a in self.setting_actions.values():
            view.addAction(a)
        view.addAction(self.aspect_action)
        view.addAction(self.log_action)
        view.addAction(self.fit_action)
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
        overlays.addSeparator()
        for a in self.setting_actions.values():
            overlays.addAction(a)
        overlays.addAction(self.aspect_action)
        overlays.addAction(self.log_action)
        overlays.addAction(self.fit_action)
        self.addToolBar(overlays)
        play = QToolBar("Playback", self)
        play.setObjectName("toolbar_playback")
        for a in self.playback.actions:
            play.addAction(a)
        play.addWidget(self.playback.speed)
        play.addWidget(self.playback.counter_widget)
        self.addToolBar(play)

    def _overlay_toggled(self, name: str, on: bool) -> None:
        self.session.set_overlay(name, on)
        if on and name in self.overlay_panels:  # its panel comes to the front
            self.docks[name].show()
            self.docks[name].raise_()

    def _sync_overlay_actions(self) -> None:
        for name, a in self.overlay_actions.items():
            if a.isChecked() != (name in self.session.overlays):
                a.setChecked(name in self.session.overlays)
        for (name, key), a in self.setting_actions.items():
            on = bool(self.session.overlay_settings(name)[key])
            if a.isChecked() != on:
                a.setChecked(on)

    # --- pages, presets, messages -------------------------------------------------------------
    def _make_onestep_view(self) -> QWidget:
        from hessianlens.engine.build import LINE_KIND
        from hessianlens.ui.onestep_view import OneStepView  # sympy: imported on first show

        view = OneStepView(self.session.onestep, builder=LatestBuilder(LINE_KIND))
        view.state_changed.connect(lambda: self.session.set_onestep(view.state()))
        return view

    @property
    def onestep_view(self):
        """The one-step (1D) page, built now if it has not been shown yet."""
        return self.onestep_page.ensure_built()

    def _onestep_changed(self) -> None:
        if self.onestep_page.content is not None:
            self.onestep_page.content.set_state(self.session.onestep)

    def _make_dimensions_view(self) -> QWidget:
        from hessianlens.ui.dimensions.view import DimensionsView  # built on first show

        return DimensionsView(self.settings)

    def add_page(self, widget: QWidget, title: str) -> int:
        """Add a tab beside the plane (the 1D page, say); returns its index."""
        return self.tabs.addTab(widget, title)

    def set_session_name(self, name: str, note: str = "") -> None:
        """Name the session in the title; a preset's note shows in the inspector (any other
        session clears it)."""
        self.session_name = name
        self.inspector.set_note(note)
        self.update_title()

    def update_title(self, *_args) -> None:
        """'Hessian Lens \u2014 name', with Qt's [*] unsaved-changes marker while there are any."""
        title = f"{TITLE} \u2014 {self.session_name}" if self.session_name else TITLE
        modified = self.files.modified
        self.setWindowTitle(f"{title}[*]" if modified else title)
        self.setWindowModified(modified)

    def apply_preset(self, preset: Preset) -> None:
        """Load a preset; its name and note show once its function is in place."""
        self.playback.set_playing(False)

        def applied(error) -> None:
            if error is None:
                self.files.forget_path()
                self.set_session_name(preset.name, preset.note)
                self.show_message(f"{preset.headline} (the whole note heads the Inspector)")

        self.session.load(preset.function, preset.rect, preset.start,
                          params=preset.method_params(), enabled=preset.methods_on(self.session),
                          view_options=preset.view_options, then=applied)

    def show_message(self, text: str, msecs: int = 8000) -> None:
        self.statusBar().showMessage(text, msecs)

    def _trajectories_changed(self) -> None:
        words = [f"{name}: {t.message}" for name, t in self.session.trajectories.items()]
        self.statusBar().setToolTip("\n".join(words))
        if note := out_of_time_note(self.session):
            self.show_message(note, 20_000)

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
    def _restore_window(self) -> bool:
        """The remembered geometry and docks; True if the docks' arrangement was restored."""
        geometry = stored.read_bytes(self.settings, "geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = stored.read_bytes(self.settings, "window_state")
        return state is not None and self.restoreState(state)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if not self._docks_arranged:
            self._docks_arranged = True
            dock_layout.size(self, list(self.docks.values()))

    def save_settings(self) -> None:
        stored.write_state(self.settings, self.session.state, geometry=self.saveGeometry(),
                           window_state=self.saveState())

    def closeEvent(self, event) -> None:
        self.playback.set_playing(False)
        if not self.files.confirm_discard():  # Cancel, or a save that did not happen
            event.ignore()
            return
        self.save_settings()
        self.session.shutdown()
        self.plot_view.shutdown()
        self.fitter.shutdown()
        self.dimensions_page.shutdown()
        self.surface_page.shutdown()
        self.sweep_panel.shutdown()
        super().closeEvent(event)
