"""The plane's still layers drawn from one pixmap per run look as drawn one by one, however
they change (pytest-qt; pictures of the plane compared pixel by pixel)."""

import numpy as np
import pytest

from hessianlens.engine.fields import Rect
from hessianlens.overlay_specs import OVERLAYS
from hessianlens.ui.still_stack import drawn_directly, is_still
from uihelpers import open_window, settle, wait_for_function

FIELD_OVERLAYS = [name for name, spec in OVERLAYS.items() if spec.needs]


@pytest.fixture
def window(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path)
    for name in FIELD_OVERLAYS:
        w.session.set_overlay(name, True)
    settle(qtbot, w)
    return w


def picture(qtbot, view) -> np.ndarray:
    qtbot.wait(20)
    image = view.graphics.viewport().grab().toImage()
    bits = np.asarray(image.constBits(), dtype=np.uint8)
    return bits.reshape(image.height(), image.bytesPerLine()).astype(int)


def assert_same_as_drawn_one_by_one(qtbot, view):
    stacked = picture(qtbot, view)
    with drawn_directly(view.graphics.scene()):
        direct = picture(qtbot, view)
    difference = np.abs(stacked - direct)
    # Blending into one pixmap first rounds a channel by one here and there, no more.
    assert difference.max() <= 2 and (difference > 1).mean() < 1e-4
    assert (difference > 0).mean() < 0.02


def test_the_still_layers_are_stacked_in_their_order(window):
    view = window.plot_view
    assert [len(s.layers) for s in view.still_stacks] == [10, 5]
    for stack in view.still_stacks:
        assert all(is_still(item) for item in stack.layers)
        z = [item.zValue() for item in stack.layers]
        assert z == sorted(z) and stack.zValue() == z[0]
    # Nothing that moves during playback lies between the layers of a stack.
    for item in view.vb.childGroup.childItems():
        for stack in view.still_stacks:
            low, high = stack.layers[0].zValue(), stack.layers[-1].zValue()
            assert item is stack or not low <= item.zValue() <= high


def test_the_stacked_plane_looks_as_drawn_layer_by_layer_whatever_changes(qtbot, window):
    view, session = window.plot_view, window.session
    assert_same_as_drawn_one_by_one(qtbot, view)
    session.set_overlay("curvature", False)  # a layer hidden
    assert_same_as_drawn_one_by_one(qtbot, view)
    session.set_log_colour(True)  # f's colours and contours anew
    settle(qtbot, window)
    assert_same_as_drawn_one_by_one(qtbot, view)
    with qtbot.waitSignal(view.fields_shown, timeout=20_000):
        session.set_view(Rect(2.0, 4.0, 0.5, 2.5))  # zoomed in: every layer anew
    settle(qtbot, window)
    assert_same_as_drawn_one_by_one(qtbot, view)
    session.set_function("x**2 - y**2 + x*y/3")  # a new function
    wait_for_function(qtbot, session, "x**2 - y**2 + x*y/3")
    settle(qtbot, window)
    assert_same_as_drawn_one_by_one(qtbot, view)
    session.configure_overlay("newton_field", normalized=False)  # the arrows anew
    settle(qtbot, window)
    assert_same_as_drawn_one_by_one(qtbot, view)
    for k in range(4):  # playback leaves the stacks alone
        session.set_step(k)
        assert_same_as_drawn_one_by_one(qtbot, view)
