"""A preset's note stays readable: whole and wrapped at the top of the inspector on a
1366 x 768 window, its headline in the status bar, gone once the function or session changes."""

from PySide6.QtCore import QRect

from hessianlens.ui.presets import HEADLINE_CHARS, headline, load_presets
from uihelpers import open_window, wait_for_function

PRESETS = load_presets()


def apply(qtbot, window, preset):
    """Choose the preset from the Presets menu, as a user does, and wait for it."""
    menu = next(a for a in window.menuBar().actions() if a.text() == "P&resets").menu()
    next(a for a in menu.actions() if a.text() == preset.name).trigger()
    wait_for_function(qtbot, window.session, preset.function)
    qtbot.waitUntil(lambda: window.session_name == preset.name, timeout=20_000)
    qtbot.wait(50)  # the layout takes the note's height


def wholly_visible(label) -> bool:
    """The label shows on screen, its full wrapped text inside its own rectangle and inside
    the window (no part cut off by the dock or the window's edge)."""
    if not label.isVisible() or label.height() < label.heightForWidth(label.width()):
        return False
    window = label.window()
    top_left = label.mapTo(window, label.rect().topLeft())
    return window.rect().contains(QRect(top_left, label.size())) \
        and label.visibleRegion().boundingRect() == label.rect()


def test_each_preset_note_shows_whole_in_the_inspector(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path)
    assert window.size().width() == 1366
    note = window.inspector.note
    for preset in PRESETS:
        apply(qtbot, window, preset)
        assert note.text() == preset.note, preset.name
        assert note.wordWrap()
        assert wholly_visible(note), preset.name
        status = window.statusBar().currentMessage()
        assert status.startswith(preset.headline), (preset.name, status)


def test_the_note_goes_when_the_user_types_another_function(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path)
    rosenbrock = next(p for p in PRESETS if p.name == "Rosenbrock")
    apply(qtbot, window, rosenbrock)
    assert window.inspector.note.isVisible()
    window.editor.edit.setPlainText("x**2 + 3*y**2")
    window.editor.apply()
    wait_for_function(qtbot, window.session, "x**2 + 3*y**2")
    qtbot.waitUntil(lambda: not window.inspector.note.isVisible())
    assert window.inspector.note.text() == ""


def test_another_preset_on_the_same_function_replaces_the_note(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path)
    example_3, relatives = (next(p for p in PRESETS if p.name.startswith(n))
                            for n in ("Example 3", "Relatives"))
    assert example_3.function == relatives.function
    apply(qtbot, window, example_3)
    apply(qtbot, window, relatives)
    assert window.inspector.note.text() == relatives.note
    window.set_session_name("saved.hessianlens")  # what opening a session file does
    assert not window.inspector.note.isVisible()


def test_headline_is_the_first_sentence_cut_at_a_word():
    assert headline("A quadratic: done. Then more.") == "A quadratic: done."
    long = "word " * 40
    cut = headline(long)
    assert len(cut) <= HEADLINE_CHARS and cut.endswith("\u2026") and "wor\u2026" not in cut
    assert headline("One two (three: four) five six", 22) == "One two\u2026"
    for p in PRESETS:
        assert p.note.startswith(p.headline.rstrip("\u2026"))
