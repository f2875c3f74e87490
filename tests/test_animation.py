"""Animations of the plane (ui/animation.py): GIF colours and size, PNG sequences, video."""

import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image
from PySide6.QtGui import QImage

from hessianlens.engine.fields import Rect
from hessianlens.export_cli import layout_size
from hessianlens.ui import animation, export
from uihelpers import plane_view

EXAMPLE3 = "sin(x0)**2 + sin(10 + x1*x0/2)*cos(x0)"


@pytest.fixture
def view(qtbot):
    # Example 2 of the write-up: gradient descent zigzags, Newton lands in one step.
    v = plane_view(qtbot, "x0**2 - x0*x1/2 + (x1/3)**2", Rect(-4, 4, -4, 4), (-3.0, -3.0),
                   methods={"gd": {"max_steps": 6, "learning_rate": 0.3}})
    yield v
    v.worker.wait()


def example3(qtbot, width, height, steps=100, grid=512):
    """The write-up's Example 3 as `hessianlens export` lays it out at width x height."""
    return plane_view(qtbot, EXAMPLE3, Rect(-4, 4, -4, 4), (3.1, 1.3), *layout_size(width, height),
                      grid=grid, methods={"gd": {"learning_rate": 0.5, "max_steps": steps},
                                          "newton": {"learning_rate": 1.0, "max_steps": steps}})


def gif_frames(path):
    """Every frame of a GIF as composed by Pillow, (h, w, 3) uint8."""
    with Image.open(path) as im:
        frames = []
        for k in range(im.n_frames):
            im.seek(k)
            frames.append(np.asarray(im.convert("RGB")))
    return frames


def rgb(hex_colour):
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def test_gif_has_one_frame_per_step_and_the_step_comes_back(view, tmp_path):
    s = view.session
    s.set_step(2)
    path = tmp_path / "run.gif"
    seen = []
    n = animation.save_gif(view, path, 160, 120,
                           progress=lambda k, total: seen.append(k) or True)
    with Image.open(path) as gif:
        assert gif.n_frames == n == s.last_step + 1 == 7
        assert gif.info["loop"] == 0 and gif.info["duration"] == animation.FRAME_MS
    assert seen == list(range(8))
    assert s.step == 2


def test_each_gif_frame_is_the_png_of_that_step(view, tmp_path):
    path = tmp_path / "run.gif"
    animation.save_gif(view, path, 240, 180)
    frames = gif_frames(path)
    for k in (0, 3, 6):
        view.session.set_step(k)
        png = export.frame_rgb(export.render_image(view, 240, 180))
        # The dither moves a colour by a few units; nothing else differs.
        assert np.abs(frames[k].astype(int) - png).mean() < 4, k


def test_the_gif_keeps_the_method_colours_exactly_and_the_colour_bar_smooth(qtbot, tmp_path):
    v = example3(qtbot, 480, 360)
    s = v.session
    path = tmp_path / "run.gif"
    animation.save_gif(v, path, 480, 360)
    last = gif_frames(path)[-1]
    png_path = tmp_path / "run.png"
    s.set_step(s.last_step)
    export.save_png(v, png_path, 480, 360)
    png = np.asarray(Image.open(png_path).convert("RGB"))
    for m in s.enabled_methods():
        exact = np.all(png == rgb(m.colour), axis=2)
        assert exact.sum() > 20, m.name  # the path is drawn in that colour in the PNG
        assert np.all(last[exact] == rgb(m.colour)), m.name  # and the GIF has them all
    # The colour bar of f: close to the PNG everywhere, and no band of another colour.
    scale = 480 / v.graphics.width()
    r = v.bar.bar.sceneBoundingRect()
    x = int((r.center().x() - v.graphics.mapToScene(0, 0).x()) * scale)
    y0, y1 = int(r.top() * scale) + 3, int(r.bottom() * scale) - 3
    column = last[y0:y1, x].astype(int) - png[y0:y1, x]
    assert np.abs(column).mean() < 4 and np.abs(column).max() < 16


def test_the_101_frame_example_is_at_most_5_mb_and_later_frames_cost_little(qtbot, tmp_path):
    v = example3(qtbot, 800, 600)
    path = tmp_path / "example3.gif"
    n = animation.save_gif(v, path, 800, 600)
    size = path.stat().st_size
    assert n == 101 and size <= 5 * 1024 * 1024
    one = tmp_path / "one.gif"  # the first frame alone: the picture without the paths
    v.session.update_method("gd", max_steps=0)
    v.session.update_method("newton", max_steps=0)
    animation.save_gif(v, one, 800, 600)
    assert (size - one.stat().st_size) / 100 < 20_000  # bytes per later frame


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")
def test_another_decoder_reads_the_gif_as_pillow_does(view, tmp_path):
    path = tmp_path / "run.gif"
    animation.save_gif(view, path, 160, 120)
    out = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-"], capture_output=True, timeout=60, check=True)
    decoded = np.frombuffer(out.stdout, np.uint8).reshape(-1, 120, 160, 3)
    frames = gif_frames(path)
    assert len(decoded) == len(frames)
    assert np.array_equal(decoded[-1], frames[-1])


def test_png_sequence_is_numbered_one_file_per_step(view, tmp_path):
    paths = animation.save_png_sequence(view, tmp_path / "run.png", 160, 120)
    assert [p.name for p in paths] == [f"run_{k:04d}.png" for k in range(7)]
    assert all(QImage(str(p)).width() == 160 for p in paths)


def test_a_cancelled_animation_leaves_no_file_and_keeps_the_previous_one(view, tmp_path):
    gif = tmp_path / "run.gif"
    gif.write_bytes(b"previous")
    with pytest.raises(animation.ExportCancelled):
        animation.save_gif(view, gif, 160, 120, progress=lambda k, _n: k < 3)
    assert gif.read_bytes() == b"previous"
    with pytest.raises(animation.ExportCancelled):
        animation.save_png_sequence(view, tmp_path / "seq.png", 160, 120,
                                    progress=lambda k, _n: k < 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.gif"]


def test_a_gif_cut_short_never_replaces_the_previous_file(view, tmp_path, monkeypatch):
    gif = tmp_path / "run.gif"
    gif.write_bytes(b"previous")
    monkeypatch.setattr(animation.GifStream, "close", lambda self: self.fh.flush())  # no trailer
    with pytest.raises(OSError, match="incomplete"):
        animation.save_gif(view, gif, 160, 120)
    assert gif.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["run.gif"]


def test_too_many_frames_times_pixels_are_refused_with_the_limit_named(view, tmp_path):
    view.session.update_method("gd", max_steps=2_000, tol=0.0)  # 2,001 frames
    with pytest.raises(animation.AnimationTooLarge, match="limit .*fewer steps or a smaller"):
        animation.save_gif(view, tmp_path / "big.gif", 8000, 8000)
    assert not list(tmp_path.iterdir())


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")
@pytest.mark.parametrize("suffix", [".mp4", ".webm"])
def test_video_through_ffmpeg_has_one_frame_per_step(view, tmp_path, suffix):
    path = tmp_path / f"run{suffix}"
    n = animation.save_animation(view, path, 161, 121)  # odd sizes are padded to even
    probe = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                            "-show_entries", "stream=nb_read_frames,width,height",
                            "-of", "csv=p=0", str(path)], capture_output=True, text=True,
                           timeout=60, check=True)
    width, height, frames = (int(v) for v in probe.stdout.strip().split(","))
    assert (width, height, frames) == (162, 122, n) and n == 7


def test_video_without_ffmpeg_is_a_clear_error(view, tmp_path, monkeypatch):
    monkeypatch.setattr(animation, "ffmpeg_path", lambda: None)
    with pytest.raises(OSError, match="needs ffmpeg"):
        animation.save_animation(view, tmp_path / "run.mp4", 160, 120)
    assert not list(tmp_path.iterdir())
