"""One meaning per colour: the methods' palette against the overlays' colours, keys that show
what is drawn, one colour bar for what covers the plane (pytest-qt for the window parts)."""

import numpy as np
import pyqtgraph as pg
import pytest

from hessianlens import colours
from hessianlens.engine.basins import KIND_COLOURS
from hessianlens.model import PALETTE, default_methods
from uihelpers import open_window


def lab(rgb) -> np.ndarray:
    """CIELAB (D65) of sRGB colours given as 0-255 triples."""
    c = np.asarray(rgb, dtype=float).reshape(-1, 3) / 255
    c = np.where(c > 0.04045, ((c + 0.055) / 1.055) ** 2.4, c / 12.92)
    xyz = c @ np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                        [0.0193, 0.1192, 0.9505]]).T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]),
                     200 * (f[:, 1] - f[:, 2])], axis=1)


def overlay_colours() -> np.ndarray:
    """Every colour an overlay draws: the det H map (sampled), the classes, the basins at
    every shade the map uses (down to half brightness), arrows, rings, casings, det H = 0, the
    stability map."""
    from hessianlens.ui.overlays.determinant import colour_map
    from hessianlens.ui.overlays.stability import stable_colours

    samples = np.vstack([m.getLookupTable(0.0, 1.0, 256, alpha=False)
                         for m in (colour_map(), stable_colours())])
    fixed = [colours.rgb(c) for c in (colours.POSITIVE_DEFINITE, colours.INDEFINITE,
                                      colours.NEGATIVE_DEFINITE, colours.DOWNHILL,
                                      colours.UPHILL, colours.STATIONARY, colours.CASING)]
    basins = [np.array(c) * s for kind in KIND_COLOURS.values() for c in kind
              for s in np.linspace(0.5, 1.0, 6)]
    return np.vstack([samples, fixed, basins, [(0, 0, 0)]])


def test_no_overlay_uses_a_method_colour():
    methods = lab([colours.rgb(c) for c in PALETTE])
    others = lab(overlay_colours())
    distance = np.linalg.norm(methods[:, None] - others[None], axis=2)
    assert distance.min() >= 25, PALETTE[int(np.argmin(distance.min(axis=1)))]


def test_the_methods_colours_differ_from_each_other():
    m = lab([colours.rgb(c) for c in PALETTE])
    d = np.linalg.norm(m[:, None] - m[None], axis=2) + np.eye(len(m)) * 1e9
    assert d.min() >= 18
    assert [c.colour for c in default_methods()] == list(PALETTE[:len(default_methods())])


@pytest.fixture
def window(qtbot, tmp_path):
    return open_window(qtbot, tmp_path)


def shown_bars(view):
    return [item for item in view.graphics.ci.items if isinstance(item, pg.ColorBarItem)]


def entry_colour(item) -> tuple:
    """The colour a key's sample shows: its symbol's brush, else its line's pen."""
    if item.opts.get("symbol") is not None:
        return pg.mkBrush(item.opts["symbolBrush"]).color().getRgb()[:3]
    return pg.mkPen(item.opts["pen"]).color().getRgb()[:3]


def test_one_colour_bar_for_what_covers_the_plane(qtbot, window):
    view, session = window.plot_view, window.session
    assert shown_bars(view) == [view.bar]
    session.set_overlay("determinant", True)
    det = view.overlays["determinant"]
    assert shown_bars(view) == [det.colour_bar]  # f's colours are hidden: so is f's bar
    assert view.contours.opts["pen"].color().getRgb() == colours.CONTOUR_ON_OVERLAY
    labels = [label for _, label in view.legend_entries()]
    assert "det H < 0 (H indefinite)" in labels
    session.set_overlay("curvature", True)  # opaque classes over det H: no continuous bar
    assert shown_bars(view) == []
    labels = [label for _, label in view.legend_entries()]
    assert "det H = 0" in labels and "det H < 0 (H indefinite)" not in labels  # hidden
    assert "H indefinite" in labels
    assert "under the curvature classes" in window.statusBar().currentMessage()
    session.set_overlay("curvature", False)
    session.set_overlay("determinant", False)
    assert shown_bars(view) == [view.bar]
    assert view.contours.opts["pen"].color().getRgb() == colours.CONTOUR_ON_F


def test_the_curvature_key_shows_the_colours_on_the_plane(qtbot, window):
    view = window.plot_view
    window.session.set_overlay("curvature", True)
    layer = view.overlays["curvature"]
    qtbot.waitUntil(lambda: layer.image.image is not None, timeout=10_000)
    drawn = {tuple(int(v) for v in px) for px in layer.image.image.reshape(-1, 4) if px[3]}
    keyed = {entry_colour(item) + (255,) for item, _ in layer.fill_legend}
    assert drawn <= keyed and len(drawn) >= 2  # opaque: what is drawn is what the key shows


def test_the_quadratic_model_key_takes_the_method_colour(qtbot, window):
    view, session = window.plot_view, window.session
    session.set_overlay("quadratic_model", True)
    layer = view.overlays["quadratic_model"]
    for name in ("newton", "gd"):
        session.select(name, 1)
        colour = pg.mkColor(session.methods[name].colour).getRgb()[:3]
        assert layer.lines.opts["pen"].color().getRgb()[:3] == colour
        assert entry_colour(layer.sample) == colour


def test_the_newton_arrows_and_rings_lie_on_a_casing(qtbot, window):
    view = window.plot_view
    window.session.set_overlay("newton_field", True)
    layer = view.overlays["newton_field"]
    qtbot.waitUntil(lambda: layer.down.getData()[0] is not None
                    and len(layer.down.getData()[0]) > 0, timeout=10_000)
    n = len(layer.down.getData()[0]) + len(layer.up.getData()[0])
    assert len(layer.casing.getData()[0]) == n
    assert np.array_equal(layer.zero_casing.getData()[0], layer.zero.getData()[0],
                          equal_nan=True)
    assert layer.casing.zValue() < min(layer.down.zValue(), layer.up.zValue())


def test_the_true_models_white_line_shows_in_the_white_key(qtbot, window):
    """The Believed H overlay draws the true model white on a dark casing; its key sample
    draws the casing too, so it is seen on the key's white background."""
    from PySide6.QtGui import QColor, QImage, QPainter

    from hessianlens.ui.legend import QuietSample

    window.session.set_overlay("beliefs", True)
    layer = window.plot_view.overlays["beliefs"]
    assert layer.true_curve.opts["shadowPen"] is not None
    # and the white step at 1/H_ii that Adam's and RMSProp's picture draws
    for part in ("true", "1/H_ii"):
        image = QImage(24, 24, QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        QuietSample(layer.samples[part]).paint(painter)
        painter.end()
        rgb = np.array([[QColor(image.pixel(x, y)).getRgb()[:3] for x in range(24)]
                        for y in range(24)])
        assert (rgb.sum(axis=2) < 300).sum() >= 20, part  # the casing, dark on white


def test_each_colour_bar_is_labelled_once_on_its_value_axis(qtbot, window):
    view = window.plot_view
    window.session.set_overlay("determinant", True)
    window.session.set_overlay("stability", True)
    bars = [view.bar, view.overlays["determinant"].colour_bar, view.overlays["stability"].bar]
    for bar, label in zip(bars, ("f", "det H", "log10 (2/lambda_max)")):
        assert bar.axis.labelText == label
        others = [bar.getAxis(k) for k in ("left", "top", "bottom")]
        assert not any(a.label.isVisible() and a.labelText for a in others), label


@pytest.mark.parametrize("scale", ["1", "1e6", "1e-7"])
def test_the_f_bar_numbers_f_whatever_its_size(qtbot, window, scale):
    """pyqtgraph fixed the bar's axis at 45 pixels and dropped each wider label: for f up to
    6e6 the bar read only '0'."""
    from PySide6.QtGui import QImage, QPainter

    from hessianlens.engine.fields import Rect
    from uihelpers import settle, wait_for_function

    text = f"{scale}*(x**2 + y**2)"
    window.session.load(text, Rect(-2, 2, -2, 2))
    wait_for_function(qtbot, window.session, text)
    view = window.plot_view
    qtbot.waitUntil(lambda: view.bundle is not None
                    and view.bundle.objective is window.session.objective, timeout=20_000)
    settle(qtbot, window)
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _, _, texts = view.bar.axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    assert len(texts) >= 4, [t for _, _, t in texts]
