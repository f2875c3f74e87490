"""File menu of the window: export image, trajectories, animation; save and open sessions."""

import json

import pytest
from PIL import Image
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QMessageBox

from hessianlens.engine.fields import Rect
from hessianlens.session_file import load_session, save_session
from hessianlens.ui.export import default_size
from hessianlens.ui.export_dialog import ExportDialog, ExportOptions
from uihelpers import open_window, settle

Button = QMessageBox.StandardButton


@pytest.fixture
def window(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path)
    w.session.update_method("gd", max_steps=5)
    return w


def names(menu):
    return [a.text() for a in menu.actions() if a.text()]


def test_the_file_menu_offers_sessions_recent_files_and_every_export(window):
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    assert names(file_menu)[:7] == ["Open session...", "Open &Recent", "Save session",
                                    "Save session as...", "Export image...",
                                    "Export trajectories...", "Export animation..."]
    f = window.files
    assert f.open_action.shortcut().toString() == "Ctrl+O"
    assert f.save_action.shortcut().toString() == "Ctrl+S"
    assert f.save_as_action.shortcut().toString() == "Ctrl+Shift+S"
    for a in (f.open_action, f.save_action, f.save_as_action, f.export_image_action,
              f.export_trajectories_action, f.export_animation_action):
        assert a.toolTip() and a.toolTip() != a.text()


def test_the_export_dialog_defaults_to_twice_the_view_and_keeps_its_proportions(qtbot, window):
    w, h = window.plot_view.graphics.width(), window.plot_view.graphics.height()
    assert default_size(window.plot_view) == (2 * w, 2 * h)
    dialog = ExportDialog("image", default_size(window.plot_view), window)
    qtbot.addWidget(dialog)
    assert dialog.options() == ExportOptions("png", 2 * w, 2 * h, False)
    dialog.width_box.setValue(w)
    dialog.light.setChecked(True)
    dialog.format.setCurrentIndex(1)
    assert dialog.options() == ExportOptions("svg", w, round(w * h / w), True)


def test_export_image_and_trajectories_from_the_window(window, tmp_path):
    window.tabs.setCurrentIndex(1)  # the 1D page in front: the plane is still what is exported
    png = tmp_path / "plane.png"
    assert window.files.export_image(str(png), ExportOptions("png", 500, 300))
    assert window.tabs.currentWidget() is window.plot_view
    image = QImage(str(png))
    assert image.size().toTuple() == (500, 300)
    assert QColor(image.pixel(250, 150)) != QColor("white")  # the plane, not an empty page
    svg = tmp_path / "plane.svg"
    assert window.files.export_image(str(svg), ExportOptions("svg", 500, 300, light=True))
    assert svg.read_text().lstrip().startswith("<?xml")
    out = tmp_path / "t.json"
    assert window.export_trajectories(str(out))
    assert [t["method"] for t in json.loads(out.read_text())] == ["gd", "newton"]


def test_export_animation_with_its_progress_dialog(window, tmp_path):
    gif = tmp_path / "run.gif"
    assert window.files.export_animation(str(gif), ExportOptions("gif", 120, 90))
    with Image.open(gif) as im:
        assert im.n_frames == window.session.last_step + 1
    # Cancelled after two frames: nothing written, and the status bar says so.
    cancelled = tmp_path / "cancelled.gif"
    assert not window.files.export_animation(str(cancelled), ExportOptions("gif", 120, 90),
                                             progress=lambda k, _n: k < 2)
    assert not cancelled.exists() and "cancelled" in window.statusBar().currentMessage()


def test_save_then_open_gives_back_an_equal_session(qtbot, window, tmp_path):
    s = window.session
    s.load("x**2 + 3*y**2", Rect(-3, 2, -1, 4), (1.5, 2.5))
    s.update_method("newton", learning_rate=0.5, colour="#123456")
    s.set_overlay("determinant", True)
    s.set_step(2)
    settle(qtbot, window)  # the view widened to the plot's shape (equal aspect)
    assert window.isWindowModified() and window.windowTitle().endswith("[*]")
    path = tmp_path / "talk"
    assert window.files.save_session_as(str(path) + ".hlens.json")
    assert not window.isWindowModified()
    assert window.windowTitle() == "Hessian Lens \u2014 talk"
    saved = s.state
    assert load_session(tmp_path / "talk.hlens.json") == saved
    s.set_step(1)  # playback and selection are saved, but are no work to lose
    assert not window.isWindowModified()

    s.load("x**4 - y", Rect(-1, 1, -1, 1), (0.2, 0.2))
    s.set_overlay("determinant", False)
    assert window.files.open_session(str(tmp_path / "talk.hlens.json"))
    settle(qtbot, window)
    assert s.state == saved
    assert not window.isWindowModified() and window.windowTitle() == "Hessian Lens \u2014 talk"
    assert window.overlay_actions["determinant"].isChecked()
    recent = window.files.recent_menu
    window.files.fill_recent()
    assert [a.toolTip() for a in recent.actions()] == [str(tmp_path / "talk.hlens.json")]


def corrupt_files(tmp_path, valid: dict):
    text = json.dumps(valid)
    cases = {
        "not json": (b"this is not json", "not valid JSON"),
        "truncated": (text[: len(text) // 2].encode(), "truncated"),
        "wrong shape": (b"[1, 2, 3]", "must be an object"),
        "unknown version": (json.dumps({**valid, "version": 99}).encode(), "version 99"),
        "too large": (b" " * (10 * 1024 * 1024 + 1), "larger than 10 MB"),
        "hostile function": (json.dumps({**valid, "function": "__import__('os').system('rm')"})
                             .encode(), "not acceptable"),
    }
    for name, (data, words) in cases.items():
        path = tmp_path / f"{name.replace(' ', '_')}.hlens.json"
        path.write_bytes(data)
        yield name, path, words


def test_corrupt_session_files_each_give_their_message_and_change_nothing(window, tmp_path):
    s = window.session
    good = tmp_path / "good.hlens.json"
    save_session(good, s.state)
    valid = json.loads(good.read_text())
    s.set_start((0.5, 0.25))
    before, title = s.state, window.windowTitle()
    for name, path, words in corrupt_files(tmp_path, valid):
        assert not window.files.open_session(str(path)), name
        assert words in window.statusBar().currentMessage(), name
        assert s.state == before, name
        assert window.windowTitle() == title and window.isWindowModified(), name
        assert window.files.path is None


def test_quit_with_unsaved_changes_asks_save_discard_or_cancel(qtbot, window, tmp_path,
                                                               monkeypatch):
    f = window.files
    f.confirm_unsaved = True  # offscreen the question is skipped; here a stand-in answers it
    window.session.set_start((1.0, 1.0))
    answers = []
    monkeypatch.setattr(f, "ask_unsaved", lambda: answers.pop(0))
    answers.append(Button.Cancel)
    window.close()
    assert window.isVisible()
    f.save_session(str(tmp_path / "s.hlens.json"))
    window.session.set_start((2.0, 1.0))
    answers.append(Button.Save)
    window.close()
    assert not window.isVisible()
    assert load_session(tmp_path / "s.hlens.json").start == (2.0, 1.0)


def test_quit_discarding_changes_closes_without_saving(qtbot, window, monkeypatch):
    f = window.files
    f.confirm_unsaved = True
    window.session.set_start((1.0, 1.0))
    monkeypatch.setattr(f, "ask_unsaved", lambda: Button.Discard)
    window.close()
    assert not window.isVisible() and f.path is None


def test_a_failed_write_is_a_message_not_an_exception(window, tmp_path):
    missing = tmp_path / "no such folder"
    assert not window.files.export_image(str(missing / "p.png"), ExportOptions("png", 100, 80))
    assert "Could not save" in window.statusBar().currentMessage()
    assert not window.files.export_trajectories(str(missing / "t.csv"))
    assert not window.files.save_session_as(str(missing / "s.hlens.json"))
    assert window.files.path is None


def test_video_formats_are_offered_only_with_an_ffmpeg(qtbot, window, monkeypatch):
    from hessianlens.ui import export_dialog

    def formats():
        dialog = ExportDialog("animation", (320, 240), window)
        qtbot.addWidget(dialog)
        return [dialog.format.itemData(i) for i in range(dialog.format.count())]

    monkeypatch.setattr(export_dialog, "ffmpeg_path", lambda: None)
    assert formats() == ["gif", "png-sequence"]
    monkeypatch.setattr(export_dialog, "ffmpeg_path", lambda: "/usr/bin/ffmpeg")
    assert formats() == ["gif", "png-sequence", "mp4", "webm"]


def test_an_animation_over_the_limit_is_a_message_in_the_window(window, tmp_path):
    window.session.update_method("gd", max_steps=2_000, tol=0.0)
    path = tmp_path / "big.gif"
    assert not window.files.export_animation(str(path), ExportOptions("gif", 8000, 8000),
                                             progress=lambda k, n: True)
    assert "over the limit" in window.statusBar().currentMessage()
    assert not path.exists()
