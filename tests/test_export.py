"""Pictures and data of the plane (ui/export.py) on a PlotView without a window."""

import json
import xml.etree.ElementTree as ET

import pytest
from PIL import Image
from PySide6.QtGui import QColor, QImage

from hessianlens.engine.fields import Rect
from hessianlens.engine.serialize import CSV_COLUMNS, trajectory_to_dict
from hessianlens.ui import export
from hessianlens.ui.plot_view import PlotView
from hessianlens.ui.session import Session

GD, NEWTON = "#1f77b4", "#d62728"  # the methods' colours (session.PALETTE)


@pytest.fixture
def view(qtbot):
    # Example 2 of the write-up: gradient descent zigzags, Newton lands in one step.
    session = Session("x0**2 - x0*x1/2 + (x1/3)**2", Rect(-4, 4, -4, 4), (-3.0, -3.0))
    session.update_method("gd", max_steps=6, learning_rate=0.3)
    v = PlotView(session)
    qtbot.addWidget(v)
    export.prepare_view(v, 320, 240, grid=48)
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
    groups = [g for g in root.iter() if g.get("stroke") in (GD, NEWTON)]
    points = {GD: 0, NEWTON: 0}
    for g in groups:
        for child in g:
            d = child.get("d") or child.get("points") or ""
            points[g.get("stroke")] = max(points[g.get("stroke")], d.count(","))
    gd_points = len(view.session.trajectories["gd"].iterates)
    assert points[GD] >= gd_points and points[NEWTON] >= 2  # the whole paths, as vectors


def test_gif_has_one_frame_per_step_and_the_step_comes_back(view, tmp_path):
    s = view.session
    s.set_step(2)
    path = tmp_path / "run.gif"
    seen = []
    n = export.save_gif(view, path, 160, 120, progress=lambda k, total: seen.append(k) or True)
    with Image.open(path) as gif:
        assert gif.n_frames == n == s.last_step + 1 == 7
    assert seen == list(range(8))
    assert s.step == 2


def test_png_sequence_is_numbered_one_file_per_step(view, tmp_path):
    paths = export.save_png_sequence(view, tmp_path / "run.png", 160, 120)
    assert [p.name for p in paths] == [f"run_{k:04d}.png" for k in range(7)]
    assert all(QImage(str(p)).width() == 160 for p in paths)


def test_a_cancelled_animation_leaves_no_file_and_keeps_the_previous_one(view, tmp_path):
    gif = tmp_path / "run.gif"
    gif.write_bytes(b"previous")
    with pytest.raises(export.ExportCancelled):
        export.save_gif(view, gif, 160, 120, progress=lambda k, _n: k < 3)
    assert gif.read_bytes() == b"previous"
    with pytest.raises(export.ExportCancelled):
        export.save_png_sequence(view, tmp_path / "seq.png", 160, 120, progress=lambda k, _n: k < 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.gif"]


@pytest.mark.parametrize("kind", ["png", "svg", "gif", "json"])
def test_an_export_interrupted_mid_write_leaves_the_previous_file_intact(view, tmp_path,
                                                                         monkeypatch, kind):
    target = tmp_path / f"out.{kind}"
    target.write_bytes(b"the user's previous file")

    def half_then_fail(path, *args, **kwargs):
        with open(path, "wb") as fh:
            fh.write(b"half a fi")
        raise RuntimeError("disk pulled out")

    if kind == "png":
        monkeypatch.setattr(export, "_png_bytes_to", half_then_fail)
        call = lambda: export.save_png(view, target, 160, 120)  # noqa: E731
    elif kind == "svg":
        monkeypatch.setattr(view.graphics.scene(), "render",
                            lambda *a: (_ for _ in ()).throw(RuntimeError("disk pulled out")))
        call = lambda: export.save_svg(view, target, 160, 120)  # noqa: E731
    elif kind == "gif":
        monkeypatch.setattr(Image.Image, "save", lambda self, fp, **kw: half_then_fail(fp))
        call = lambda: export.save_gif(view, target, 80, 60)  # noqa: E731
    else:
        monkeypatch.setattr("pathlib.Path.write_bytes", lambda self, data: half_then_fail(self))
        call = lambda: export.save_trajectories(view.session, target)  # noqa: E731
    with pytest.raises(RuntimeError):
        call()
    assert target.read_bytes() == b"the user's previous file"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temporary left behind


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
