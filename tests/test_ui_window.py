"""The main window: playback, keys, presets, settings, menus (pytest-qt)."""

import json

import pytest
from PySide6.QtCore import QByteArray, QPoint, Qt
from PySide6.QtWidgets import QLabel, QToolButton

from hessianlens.ui.presets import load_presets
from uihelpers import open_window, temp_settings, wait_for_function


@pytest.fixture
def window(qtbot, tmp_path):
    return open_window(qtbot, tmp_path)


def shown_lengths(window):
    return {name: len(p.drawn_points()) for name, p in window.plot_view.trajectories.paths.items()}


def test_step_advances_every_enabled_trajectory_by_one_iterate_and_back_undoes_it(window):
    pb = window.playback
    pb.reset_action.trigger()
    assert shown_lengths(window) == {"gd": 1, "newton": 1}
    pb.step_action.trigger()
    assert shown_lengths(window) == {"gd": 2, "newton": 2}
    pb.step_action.trigger()
    assert shown_lengths(window) == {"gd": 3, "newton": 3}
    pb.back_action.trigger()
    assert shown_lengths(window) == {"gd": 2, "newton": 2}
    pb.back_action.trigger()
    assert shown_lengths(window) == {"gd": 1, "newton": 1}


def test_a_finished_method_keeps_its_last_iterate_and_shows_its_status(window):
    pb, s = window.playback, window.session
    pb.reset_action.trigger()
    newton_steps = s.trajectories["newton"].steps_taken
    for _ in range(newton_steps + 2):
        pb.step_action.trigger()
    lengths = shown_lengths(window)
    assert lengths["newton"] == newton_steps + 1 and lengths["gd"] == newton_steps + 3
    labels = dict((item, label) for item, label in window.plot_view.legend_entries())
    newton_label = labels[window.plot_view.trajectories.paths["newton"].sample]
    assert "converged" in newton_label
    assert window.plot_view.legend.label_of(window.plot_view.trajectories.paths["newton"].sample) \
        == newton_label


def test_keys_step_play_and_reset(qtbot, window):
    pb, s = window.playback, window.session
    window.plot_view.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_Home)
    assert s.step == 0
    qtbot.keyClick(window, Qt.Key.Key_Right)
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert s.step == 2
    qtbot.keyClick(window, Qt.Key.Key_Left)
    assert s.step == 1
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert pb.playing
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert not pb.playing


def test_play_runs_to_the_end_and_stops(qtbot, window):
    pb, s = window.playback, window.session
    s.update_method("gd", max_steps=12)
    s.update_method("newton", max_steps=12)
    pb.speed.setValue(60)
    pb.reset_action.trigger()
    pb.play_action.trigger()
    assert pb.playing
    qtbot.waitUntil(lambda: not pb.playing, timeout=10_000)
    assert s.step == s.last_step == 12
    assert not pb.play_action.isChecked()
    assert shown_lengths(window)["gd"] == 13


def test_play_at_the_end_replays_from_the_start(qtbot, window):
    pb, s = window.playback, window.session
    assert s.at_end
    pb.play_action.trigger()
    assert s.step == 0 and pb.playing
    pb.play_action.trigger()


def test_presets_menu_loads_each_preset(qtbot, window):
    presets = load_presets()
    assert len(presets) == 12
    menu_actions = {a.text(): a for a in window.menuBar().actions()}
    preset_menu = menu_actions["P&resets"].menu()
    rosenbrock = next(a for a in preset_menu.actions() if a.text() == "Rosenbrock")
    rosenbrock.trigger()
    s = window.session
    wait_for_function(qtbot, s, "(1 - x)**2 + 100*(y - x**2)**2")
    assert s.function_text == "(1 - x)**2 + 100*(y - x**2)**2"
    assert s.start == (-1.2, 1.0) and s.methods["gd"].learning_rate == 0.001
    # the preset's range, widened by the equal aspect to the plot's shape
    assert s.equal_aspect and s.log_colour
    assert s.rect.xmin <= -2 + 1e-9 and s.rect.xmax >= 2 - 1e-9
    assert s.rect.ymin <= -1 + 1e-9 and s.rect.ymax >= 3 - 1e-9
    assert window.windowTitle() == "Hessian Lens \u2014 Rosenbrock"
    assert s.trajectories["newton"].status == "converged"


def test_every_preset_parses_and_traces():
    for p in load_presets():
        assert p.rect.xmin < p.start[0] < p.rect.xmax and p.rect.ymin < p.start[1] < p.rect.ymax


def test_settings_remember_function_view_overlays(qtbot, tmp_path):
    first = open_window(qtbot, tmp_path)
    first.session.load("x**2 + 3*y**2", start=(1.0, 1.0))
    wait_for_function(qtbot, first.session, "x**2 + 3*y**2")
    first.overlay_actions["determinant"].trigger()
    first.overlay_actions["curvature"].trigger()
    first.aspect_action.trigger()  # off: it opens on
    first.log_action.trigger()
    first.session.update_method("newton", learning_rate=0.25)
    qtbot.wait(300)  # the view, widened by the equal aspect, reaches the session
    rect = first.session.rect
    first.close()
    second = open_window(qtbot, tmp_path)
    wait_for_function(qtbot, second.session)
    assert not second.session.equal_aspect and not second.aspect_action.isChecked()
    assert second.session.log_colour and second.log_action.isChecked()
    assert second.session.methods["newton"].learning_rate == 0.25
    assert second.session.function_text == "x**2 + 3*y**2"
    assert second.session.start == (1.0, 1.0)
    assert second.session.overlays == {"determinant", "curvature"}
    assert second.overlay_actions["determinant"].isChecked()
    assert second.session.rect == rect  # equal aspect off: nothing widens it


def _remembered(**changes) -> str:
    from hessianlens.model import SessionState, default_methods
    from hessianlens.engine.fields import Rect

    d = SessionState("x**2", Rect(-1, 1, -1, 1), (0.5, 0.5), default_methods(),
                     ("determinant",)).to_dict()
    d.update(changes)
    return json.dumps(d)


@pytest.mark.parametrize("remembered", [
    "not json", "[1, 2]", _remembered(function="import os"), _remembered(view=["a", 1, 2]),
    _remembered(start="nan,1"), _remembered(overlays=["nonsense"]),
    _remembered(view={"xmin": -1e308, "xmax": 1e308, "ymin": -1, "ymax": 1}),
    _remembered(view_options={"equal_aspect": "maybe"}),
], ids=["text", "list", "function", "view", "start", "overlays", "huge view", "aspect"])
def test_invalid_remembered_state_falls_back_to_the_default(qtbot, tmp_path, remembered):
    s = temp_settings(tmp_path)
    for key, value in (("session", remembered), ("geometry", QByteArray(b"junk")),
                       ("window_state", "junk")):
        s.setValue(key, value)
    s.sync()
    window = open_window(qtbot, tmp_path, settings=s)
    assert window.session.function_text == "sin(x0)**2 + sin(10 + x1*x0/2) * cos(x0)"
    assert window.session.start == (3.1, 1.3)
    assert window.session.overlays == set()


def test_every_control_has_a_tooltip(window):
    for a in [*window.overlay_actions.values(), *window.playback.actions, window.aspect_action,
              *window.setting_actions.values(), window.save_image_action, window.export_action,
              window.quit_action, window.about_action]:
        assert a.toolTip() and a.toolTip() != a.text().replace("&", ""), a.text()
    for button in window.findChildren(QToolButton):
        if button.defaultAction() is not None:
            assert button.toolTip()
    assert window.playback.speed.toolTip() and window.editor.edit.toolTip()


def test_add_page_puts_a_tab_beside_the_plane(qtbot, window):
    page = QLabel("1D")
    index = window.add_page(page, "Line (1D)")
    assert window.tabs.widget(0) is window.plot_view
    assert window.tabs.widget(index) is page and window.tabs.tabText(index) == "Line (1D)"


def test_export_trajectories_and_picture(window, tmp_path):
    path = tmp_path / "t.json"
    assert window.export_trajectories(str(path))
    data = json.loads(path.read_text())
    assert {t["method"] for t in data} == {"gd", "newton"}
    png = tmp_path / "p.png"
    assert window.save_picture(str(png)) and png.stat().st_size > 1000


def test_equal_aspect_keeps_units_square(qtbot, window):
    assert window.aspect_action.isChecked()  # on at first
    window.aspect_action.trigger()
    qtbot.wait(50)
    sx, sy = window.plot_view.vb.viewPixelSize()
    assert sx != pytest.approx(sy, rel=1e-3)  # Example 3's square range on a wider plot
    window.aspect_action.trigger()
    qtbot.wait(50)
    sx, sy = window.plot_view.vb.viewPixelSize()
    assert sx == pytest.approx(sy, rel=1e-6)


def test_the_exception_hook_reports_instead_of_crashing(qtbot, window, monkeypatch, capsys):
    import sys

    from hessianlens.ui.app import _install_excepthook

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    _install_excepthook(lambda: window)
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    assert "RuntimeError: boom" in window.statusBar().currentMessage()
    assert "boom" in capsys.readouterr().err


def test_the_one_step_page_gets_the_whole_window_and_gives_the_docks_back(qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from hessianlens.ui.main_window import MainWindow

    window = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    shown = {k for k, d in window.docks.items() if d.isVisible()}
    assert shown
    window.tabs.setCurrentWidget(window.onestep_page)
    assert window.onestep_page.content is window.onestep_view  # built when first shown
    assert not any(d.isVisible() for d in window.docks.values())
    window.tabs.setCurrentWidget(window.plot_view)
    assert {k for k, d in window.docks.items() if d.isVisible()} == shown


@pytest.mark.parametrize("page", ["onestep_page", "dimensions_page"])
def test_a_round_trip_through_another_page_gives_the_docks_back_their_sizes(qtbot, window,
                                                                            page):
    def sizes():
        return {k: d.size() for k, d in window.docks.items() if d.isVisible()}

    def tab_bar_x():
        return window.tabs.tabBar().mapTo(window, QPoint(0, 0)).x()

    before, x = sizes(), tab_bar_x()
    assert before["methods"].height() > 300  # the list and its settings
    window.tabs.setCurrentWidget(getattr(window, page))
    qtbot.wait(100)
    assert not any(d.isVisible() for d in window.docks.values())
    assert tab_bar_x() == x  # the tabs stay under the mouse
    window.tabs.setCurrentWidget(window.plot_view)
    qtbot.wait(100)
    assert sizes() == before
    assert tab_bar_x() == x


def test_the_one_step_page_is_saved_with_the_session(qtbot, window, tmp_path):
    page, session = window.onestep_view, window.session
    qtbot.waitUntil(lambda: not page.building(), timeout=20_000)  # built off the GUI thread
    page.set_function_text("w**4 - w")  # free text
    qtbot.waitUntil(lambda: page.numbers["f"].text() == "w**4 - w", timeout=20_000)
    page.w0.set_value(-2.0)
    assert session.onestep.mode == "text" and session.onestep.w0 == -2.0
    assert window.isWindowModified()
    path = tmp_path / "one.hlens.json"
    assert window.files.save_session_as(str(path))
    page.controls.text.setText("w +* 2")  # refused: the page (and the session) keep w**4 - w
    page.controls.apply_text()
    qtbot.waitUntil(lambda: not page.building(), timeout=20_000)
    assert session.onestep.text == "w**4 - w" and "column" in page.controls.error.text()
    page.controls.coefficient_mode.setChecked(True)
    page.w0.set_value(1.0)
    assert session.onestep.mode == "coefficients"
    assert window.files.open_session(str(path))
    assert page.controls.text_mode.isChecked() and page.controls.text.text() == "w**4 - w"
    qtbot.waitUntil(lambda: not page.building(), timeout=20_000)
    assert page.w0.value() == -2.0 and page.numbers["f"].text() == "w**4 - w"


def test_opening_resizing_and_panning_leave_no_unsaved_changes(qtbot, window):
    """Closing a window in which the user changed nothing asks nothing: equal aspect widens the
    view at start-up and on a resize, and a pan is looking, not work to lose."""
    from uihelpers import settle

    assert not window.isWindowModified()
    window.resize(1200, 700)
    settle(qtbot, window)
    r = window.session.rect
    window.plot_view.vb.translateBy(x=(r.xmax - r.xmin) / 4)
    settle(qtbot, window)
    assert window.session.rect != r and not window.isWindowModified()
    window.session.set_start((0.5, 0.25))
    assert window.isWindowModified()
