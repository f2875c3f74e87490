"""The log colour bar's ticks: round numbers, each at the colour of the value it names."""

import numpy as np
import pytest

from hessianlens.engine.colour_scale import log_colours
from hessianlens.engine.fields import Rect, compute_fields
from hessianlens.engine.objective import objective_from_text

EXAMPLE_3 = "sin(x0)**2 + sin(10 + x1*x0/2) * cos(x0)"


def test_example_3_log_bar_names_zero_not_f_min_plus_one():
    # The window's opening view: f_min on the grid is -0.99997, so f_min + 1 was written
    # "3.19e-05" (and pyqtgraph left that label out: the bar's upper 80% had no number).
    fields = compute_fields(objective_from_text(EXAMPLE_3), Rect(0.2, 5.8, -1.0, 4.5), 512)
    lc = log_colours(fields.f, (-1.0, 1.25))
    labels = [label for _, label in lc.ticks]
    assert labels == ["-1", "-0.99", "-0.9", "0"]
    positions = [p for p, _ in lc.ticks]
    assert np.all(np.diff(positions) > 0) and 0 <= positions[0] and positions[-1] <= 1
    for position, label in lc.ticks[1:]:  # each number sits at its own colour
        assert float(lc.scale.heights(float(label))) == pytest.approx(position)
