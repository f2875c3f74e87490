"""The exported SVG drawn by other renderers looks like the PNG export of the same picture."""

import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from hessianlens.engine.fields import Rect
from hessianlens.export_cli import layout_size
from hessianlens.ui import export
from uihelpers import plane_view

EXAMPLE3 = "sin(x0)**2 + sin(10 + x1*x0/2)*cos(x0)"
W, H = 800, 600
CASES = {  # name: (overlays, light background)
    "paths": ((), False),
    "determinant and Newton field": (("determinant", "newton_field"), False),
    "curvature, quadratic model, light": (("curvature", "quadratic_model"), True),
}


@pytest.fixture(params=list(CASES))
def exported(request, qtbot, tmp_path):
    """(PNG, SVG path, view) of Example 3 as `hessianlens export` draws it at 800 x 600."""
    overlays, light = CASES[request.param]
    v = plane_view(qtbot, EXAMPLE3, Rect(-4, 4, -4, 4), (3.1, 1.3), *layout_size(W, H),
                   grid=256, overlays=overlays,
                   methods={"gd": {"learning_rate": 0.5}, "newton": {"learning_rate": 1.0}})
    v.session.set_step(v.session.last_step)
    png, svg = tmp_path / "plane.png", tmp_path / "plane.svg"
    export.save_png(v, png, W, H, light)
    export.save_svg(v, svg, W, H, light)
    yield np.asarray(Image.open(png).convert("RGB")).astype(int), svg, v
    v.worker.wait()


def near_colour(img, colour: str, tol: int = 20) -> np.ndarray:
    """Pixels within tol of the colour (tight: the image of f has blues near a method's)."""
    c = QColor(colour)
    return np.abs(img - np.array([c.red(), c.green(), c.blue()])).max(axis=2) < tol


def grow(mask: np.ndarray, r: int = 2) -> np.ndarray:
    """The mask dilated by r pixels (a square)."""
    out = np.zeros_like(mask)
    padded = np.pad(mask, r)
    h, w = mask.shape
    for dy in range(2 * r + 1):
        for dx in range(2 * r + 1):
            out |= padded[dy:dy + h, dx:dx + w]
    return out


def box_blur(img: np.ndarray) -> np.ndarray:
    """Each pixel the mean of its 3 x 3 neighbourhood: antialiased edges average out,
    shapes stay."""
    return sum(np.roll(np.roll(img, i, 0), j, 1) for i in (-1, 0, 1) for j in (-1, 0, 1)) / 9


def assert_alike(rendered, png, view):
    # Antialiasing and text hinting differ between renderers: edges, never shapes. The
    # Newton field's arrows on white casings and f's dark contours over det H are thousands
    # of thin edges (raw mean 10.4); blurred over 3 x 3 pixels the two agree within 4.5.
    assert rendered.shape == png.shape
    assert np.abs(rendered - png).mean() < 12  # QSvgGenerator's SVG in librsvg: 45 to 57
    assert np.abs(box_blur(rendered) - box_blur(png)).mean() < 6
    for m in view.session.enabled_methods():
        ours, theirs = near_colour(png, m.colour), near_colour(rendered, m.colour)
        assert ours.sum() > 100, m.name  # the method's path is in the picture
        # Its pixels in the same places (within 2 px) both ways: no blobs, nothing lost.
        assert (theirs & grow(ours)).sum() > 0.9 * theirs.sum(), m.name
        assert (ours & grow(theirs)).sum() > 0.9 * ours.sum(), m.name


@pytest.mark.skipif(shutil.which("rsvg-convert") is None,
                    reason="rsvg-convert is not installed (Debian: apt-get install librsvg2-bin)")
def test_librsvg_draws_the_svg_like_the_png(exported, tmp_path):
    png, svg, view = exported
    out = tmp_path / "rsvg.png"
    subprocess.run(["rsvg-convert", "-w", str(W), "-h", str(H), "-b", "white", "-o", str(out),
                    str(svg)], check=True, timeout=120)
    assert_alike(np.asarray(Image.open(out).convert("RGB")).astype(int), png, view)


def test_qts_own_renderer_draws_the_svg_like_the_png(exported):
    png, svg, view = exported
    renderer = QSvgRenderer(str(svg))
    image = QImage(W, H, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    assert_alike(export.frame_rgb(image).astype(int), png, view)
