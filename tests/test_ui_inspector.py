"""The inspector's layout: the story first and whole, numbers never cut (pytest-qt)."""

import pytest
from PySide6.QtCore import QPoint

from hessianlens.engine import explain
from hessianlens.engine.fields import Rect
from hessianlens.ui.inspector import STORY_ROWS, InspectorPanel
from hessianlens.ui.session import Session

EXAMPLE_3 = "sin(x0)**2 + sin(10 + x1*x0/2)*cos(x0)"


@pytest.fixture
def inspector(qtbot):
    session = Session(EXAMPLE_3, Rect(0.5, 5.5, -1, 4.5), (3.1, 1.3))
    panel = InspectorPanel(session)
    qtbot.addWidget(panel)
    panel.resize(280, 420)  # a narrow dock
    panel.show()
    qtbot.waitExposed(panel)
    session.select("newton", 0)
    qtbot.waitUntil(lambda: panel.iterate is session.current_iterate("newton"))
    qtbot.wait(50)
    return panel


def top(widget, panel) -> int:
    return widget.mapTo(panel, QPoint(0, 0)).y()


def test_the_story_comes_first_and_wraps_whole(inspector):
    first_number = inspector.values["x"]
    for label in STORY_ROWS:
        value = inspector.values[label]
        if not value.text():
            continue
        assert top(value, inspector) < top(first_number, inspector), label
        assert value.wordWrap()
        assert value.height() >= value.heightForWidth(value.width()), label  # not cut
        assert value.width() <= inspector.scroll.viewport().width()
    assert "goes uphill" in inspector.value_text("flags")


def test_every_number_shows_whole(inspector):
    for label, value in inspector.values.items():
        if label in STORY_ROWS or label in ("relatives", "largest difference") or not value.text():
            continue
        assert not value.wordWrap(), label
        lines = value.text().count("\n") + 1
        assert value.height() >= lines * value.fontMetrics().lineSpacing(), label
        assert value.width() >= value.fontMetrics().horizontalAdvance(
            max(value.text().split("\n"), key=len)), label
    assert inspector.value_text("H").count("\n") == 1


def test_the_write_ups_half_step_beside_the_full_one(inspector):
    # Example 3's start: the write-up prints (-0.11, -0.44) and f 0.97, the Newton step
    # with its learning rate 0.5; the full step is (-0.220, -0.873).
    full = inspector.inspection.newton_step
    assert full == pytest.approx((-0.2202, -0.8726), abs=1e-4)
    assert inspector.value_text("half Newton step") == explain.fmt_vector(full / 2)
    assert inspector.value_text("half Newton step").startswith("(-0.110116, -0.436279")
    assert float(inspector.value_text("f after half step")) == pytest.approx(0.97, abs=0.005)
    assert "0.5" in inspector.captions["half Newton step"].toolTip()


@pytest.mark.parametrize("method, caption", [
    ("gd", "gradient step (lr 0.5)"), ("bfgs", "gradient step\n(gradient descent's lr 0.5)")])
def test_the_gradient_step_caption_says_whose_rate(inspector, qtbot, method, caption):
    # With BFGS selected, "gradient step (lr 0.5)" read as BFGS's rate: it is gradient descent's.
    session = inspector.session
    session.update_method(method, enabled=True)
    session.select(method, 0)
    qtbot.waitUntil(lambda: inspector.iterate is session.current_iterate(method))
    assert inspector.captions["gradient step"].text() == caption
    words = inspector.value_text("in words")
    assert f"the gradient step ({caption.split('(')[1]} " in words
