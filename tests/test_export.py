"""Pictures and data of the plane (ui/export.py) on a PlotView without a window."""

import json
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtGui import QColor, QImage

from hessianlens.engine.fields import Rect
from hessianlens.engine.serialize import CSV_COLUMNS, trajectory_to_dict
from hessianlens import files
from hessianlens.ui import export
from uihelpers import plane_view

GD, NEWTON = "#1f77b4", "#d62728"  # the methods' colours (session.PALETTE)


@pytest.fixture
def view(qtbot):
    # Example 2 of the write-up: gradient descent zigzags, Newton lands in one step.
    v = plane_view(qtbot, "x0**2 - x0*x1/2 + (x1/3)**2", Rect(-4, 4, -4, 4), (-3.0, -3.0),
                   methods={"gd": {"max_steps": 6, "learning_rate": 0.3}})
    yield v
    v.worker.wait()


def colour_count(image: QImage, colour: str, tol: int = 40) -> int:
    """Pixels within tol (per channel) of colour."""
    import numpy as np

    rgba = image.convertToFormat(QImage.Format.Format_RGBA8888)
    arr = np.frombuffer(rgba.constBits(), np.uint8).reshape(rgba.height(), rgba.bytesPerLine())
    arr = arr[:, : 4 * rgba.width()].reshape(rgba.height(), rgba.width(), 4)[:, :, :3]
    c = QColor(colour)
    target = np.array([c.red(), c.green(), c.blue()])
    return int((np.abs(arr.astype(int) - target).max(axis=2) <= tol).sum())


def test_png_has_the_requested_size_and_the_trajectory_colours(view, tmp_path):
    path = tmp_path / "plane.png"
    export.save_png(view, path, 480, 360)
    image = QImage(str(path))
    assert (image.width(), image.height()) == (480, 360)
    assert colour_count(image, GD) > 30 and colour_count(image, NEWTON) > 30


def test_light_background_washes_out_the_image_and_restores_the_view(view):
    normal = export.render_image(view, 320, 240)
    light = export.render_image(view, 320, 240, light=True)
    dark_pixels = [sum(1 for x in range(0, 320, 4) for y in range(0, 240, 4)
                       if QColor(img.pixel(x, y)).lightness() < 90) for img in (normal, light)]
    assert dark_pixels[1] < dark_pixels[0] / 3
    assert view.image.opacity() == 1.0  # the window's view is as it was


def test_svg_parses_as_xml_and_holds_each_trajectory_as_a_path(view, tmp_path):
    path = tmp_path / "plane.svg"
    export.save_svg(view, path, 320, 240)
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    assert (root.get("width"), root.get("height")) == ("320", "240")
    points = {GD: 0, NEWTON: 0}
    for el in root.iter():
        if el.get("stroke") in points:
            points[el.get("stroke")] = max(points[el.get("stroke")], (el.get("d") or "").count(","))
    gd_points = len(view.session.trajectories["gd"].iterates)
    assert points[GD] >= gd_points and points[NEWTON] >= 2  # the whole paths, as vectors


def test_svg_strokes_carry_no_transform_and_no_non_scaling_stroke(view, tmp_path):
    # librsvg and Inkscape ignore vector-effect="non-scaling-stroke": a cosmetic pen under
    # a data-to-pixel transform becomes a line dozens of pixels wide there.
    path = tmp_path / "plane.svg"
    export.save_svg(view, path, 320, 240)
    text = path.read_text()
    assert "vector-effect" not in text
    root = ET.parse(path).getroot()
    stroked = [el for el in root.iter() if el.get("stroke") not in (None, "none")]
    assert stroked and not any(el.get("transform") for el in stroked)
    assert max(float(el.get("stroke-width", 1)) for el in stroked) < 10


def test_save_image_picks_png_or_svg_by_suffix_or_format(view, tmp_path):
    export.save_image(view, tmp_path / "a.svg", 160, 120)
    export.save_image(view, tmp_path / "b.png", 160, 120)
    export.save_image(view, tmp_path / "c.png", 160, 120, fmt="svg")
    assert (tmp_path / "a.svg").read_bytes().startswith(b"<?xml")
    assert (tmp_path / "b.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "c.png").read_bytes().startswith(b"<?xml")


@pytest.mark.parametrize("kind", ["png", "json", "csv"])
def test_an_export_interrupted_mid_write_leaves_the_previous_file_intact(view, tmp_path,
                                                                         monkeypatch, kind):
    target = tmp_path / f"out.{kind}"
    target.write_bytes(b"the user's previous file")

    def half_then_fail(path, *args, **kwargs):
        with open(path, "wb") as fh:
            fh.write(b"half a fi")
        raise RuntimeError("disk pulled out")

    if kind == "png":
        monkeypatch.setattr(export, "write_png_bytes", half_then_fail)
        call = lambda: export.save_png(view, target, 160, 120)  # noqa: E731
    else:
        monkeypatch.setattr(files, "open", half_then_fail, raising=False)
        call = lambda: export.save_trajectories(view.session, target)  # noqa: E731
    with pytest.raises(RuntimeError):
        call()
    assert target.read_bytes() == b"the user's previous file"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temporary left behind


class ShortWriter:
    """A file that silently keeps only the first half of what it is given."""

    def __init__(self, path, mode="wb"):
        self.fh = open(path, mode)

    def write(self, data):
        self.fh.write(data[: len(data) // 2])
        return len(data)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.fh.close()


@pytest.mark.parametrize("kind", ["png", "svg", "json"])
def test_a_writer_that_silently_stops_short_never_replaces_the_file(view, tmp_path, monkeypatch,
                                                                    kind):
    target = tmp_path / f"out.{kind}"
    target.write_bytes(b"the user's previous file")
    if kind == "png":  # Qt reports success but half the image reaches the disk
        real = export.write_png_bytes

        def half_png(path, image):
            real(path, image)
            data = path.read_bytes()
            path.write_bytes(data[: len(data) // 2])

        monkeypatch.setattr(export, "write_png_bytes", half_png)
        call = lambda: export.save_png(view, target, 160, 120)  # noqa: E731
    elif kind == "svg":  # a document cut short, as QSvgGenerator left it on a full disk
        real = export.SvgDevice.svg_text
        monkeypatch.setattr(export.SvgDevice, "svg_text",
                            lambda self, *a: real(self, *a)[:5000])
        call = lambda: export.save_svg(view, target, 160, 120)  # noqa: E731
    else:
        monkeypatch.setattr(files, "open", lambda path, mode="r": ShortWriter(path) if "w" in mode
                            else open(path, mode), raising=False)
        call = lambda: export.save_trajectories(view.session, target)  # noqa: E731
    with pytest.raises(files.IncompleteWrite):
        call()
    assert target.read_bytes() == b"the user's previous file"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_trajectories_as_json_and_csv_have_the_trace_schema_one_entry_per_method(view, tmp_path):
    s = view.session
    export.save_trajectories(s, tmp_path / "t.json")
    data = json.loads((tmp_path / "t.json").read_text())
    assert data == [json.loads(json.dumps(trajectory_to_dict(t, s.function_text)))
                    for t in s.trajectories.values()]
    export.save_trajectories(s, tmp_path / "t.csv")
    lines = (tmp_path / "t.csv").read_text().splitlines()
    assert lines[0].split(",") == ["method", *CSV_COLUMNS]
    assert [line.split(",")[0] for line in lines[1:]] == \
        [name for name, t in s.trajectories.items() for _ in t.iterates]


def test_svg_text_is_escaped_and_stays_well_formed(view, tmp_path):
    import pyqtgraph as pg

    label = pg.TextItem("f < 1 & g > 2 \x01\x1b \u2248 \u00e9")
    view.plot.addItem(label)
    label.setPos(0, 0)
    path = tmp_path / "plane.svg"
    export.save_svg(view, path, 320, 240)
    texts = [el.text for el in ET.parse(path).getroot().iter() if el.tag.endswith("text")]
    assert any("f < 1 & g > 2" in (t or "") and "\u2248" in t for t in texts)
