"""An overlay added at run time, in this one file (its spec names this module as the one that
draws it): the View menu, its shortcut, the fields job, session files and export see it."""

import numpy as np
import pyqtgraph as pg
import pytest

from hessianlens.engine.fields import Rect
from hessianlens.engine.params import INT, Param
from hessianlens.overlay_specs import OverlaySpec, register_overlay, unregister_overlay
from hessianlens.ui.overlays.base import OverlayLayer, swatch

SPEC = OverlaySpec("lowest_sample", "Lowest sample", "Mark the grid's lowest value of f",
                   "Ctrl+9", __name__, ("payload",),
                   settings=(Param("size", 12, (4, 40), kind=INT, help="Marker size"),))
calls = []


def prepare(objective, fields):
    """The lowest sample of f (runs in the fields job)."""
    calls.append(fields.shape)
    i, j = np.unravel_index(np.nanargmin(fields.f), fields.shape)
    return float(fields.xs[j]), float(fields.ys[i])


class Layer(OverlayLayer):
    def __init__(self, spec, host):
        super().__init__(spec, host)
        self.mark = self._add(pg.ScatterPlotItem(symbol="x", size=12), 40)
        self.legend = [(swatch("#000000"), "lowest sample")]

    def apply_settings(self, settings):
        super().apply_settings(settings)
        self.mark.setSize(settings["size"])

    def update_fields(self, bundle):
        x, y = bundle.payloads[self.spec.name]
        self.mark.setData([x], [y])


@pytest.fixture(autouse=True)
def registered():
    register_overlay(SPEC)
    yield
    unregister_overlay(SPEC.name)


def test_the_window_offers_draws_and_saves_it(qtbot, tmp_path):
    from hessianlens.session_file import load_session
    from uihelpers import open_window

    window = open_window(qtbot, tmp_path)
    action = window.overlay_actions["lowest_sample"]
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert action in view_menu.actions() and action.shortcut().toString() == "Ctrl+9"
    assert calls  # its prepare ran in the fields job
    layer = window.plot_view.overlays["lowest_sample"]
    text = "(x - 1)**2 + (y + 0.5)**2"
    window.session.load(text, Rect(-2, 2, -2, 2))
    # Built off the GUI thread: the fields shown next may still be the opening function's.
    view = window.plot_view
    qtbot.waitUntil(lambda: view.bundle is not None and view.bundle.objective.text == text,
                    timeout=20_000)
    action.trigger()
    assert layer.mark.isVisible()
    (x,), (y,) = layer.mark.getData()
    assert (x, y) == pytest.approx((1, -0.5), abs=0.01)
    assert "lowest sample" in [label for _, label in window.plot_view.legend_entries()]
    window.session.configure_overlay("lowest_sample", size=30)
    assert layer.mark.opts["size"] == 30
    path = tmp_path / "o.hlens.json"
    assert window.files.save_session_as(str(path))
    state = load_session(path)
    assert "lowest_sample" in state.overlays and state.settings_of("lowest_sample") == {"size": 30}


def test_export_knows_its_name():
    from hessianlens.cli import build_parser
    from hessianlens.export_cli import build_state

    args = build_parser().parse_args(["export", "--function", "x**2", "--start", "1,1",
                                      "--overlays", "lowest-sample,curvature", "--out", "a.png"])
    assert build_state(args).overlays == ("curvature", "lowest_sample")
