"""Shares of the starts in words: a share that is there never reads 0%, nor a part 100%."""

import dataclasses

import pytest

from hessianlens.engine.basins import Outcome, compute_basins, share_text
from hessianlens.engine.fields import Rect
from hessianlens.engine.objective import objective_from_text
from hessianlens.engine.rules import make_rule
from uihelpers import open_window


@pytest.mark.parametrize("fraction, words", [
    (0.0, "0%"), (0.0004, "<1%"), (0.0049, "<1%"), (0.005, "<1%"),
    (0.16, "16%"), (0.994, "99%"), (0.996, ">99%"), (1.0, "100%")])
def test_share_text(fraction, words):
    assert share_text(fraction) == words


def test_the_basins_dock_says_under_one_percent_not_zero(qtbot, tmp_path):
    # Gradient descent on Example 3 at 256 starts per side: a few starts reach a minimum or
    # a saddle, the rest (99.9%) do not converge; the dock read "minimum 0%, saddle 0%,
    # not converged 100%".
    window = open_window(qtbot, tmp_path)
    panel = window.overlay_panels["basins"]
    m = compute_basins(objective_from_text("x**2 + y**2"), make_rule("gd", learning_rate=0.5),
                       Rect(-1, 1, -1, 1), nx=4)
    outcomes = (Outcome(0, "not_converged", None, None, 65470, 65470 / 65536, 50.0),
                Outcome(1, "minimum", (-3.14, 1.37), -1.0, 40, 40 / 65536, 12.0),
                Outcome(2, "saddle", (0.0, 0.0), 0.0, 26, 26 / 65536, 20.0))
    panel.layer.maps = (dataclasses.replace(m, outcomes=outcomes),)
    panel._summarize()
    text = panel.summary.text()
    assert "not converged &gt;99%" in text  # rich text: ">" escaped
    assert "minimum at (-3.14, 1.37) &lt;1%, saddle at (0.00, 0.00) &lt;1%" in text
    assert " 0%" not in text and "100%" not in text
