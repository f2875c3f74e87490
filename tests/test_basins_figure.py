"""The command line's basins picture: the map inside axes, with a key that names each outcome."""

import json
import os
import subprocess
import sys

import numpy as np
from PIL import Image

from hessianlens import basins_figure
from hessianlens.basins_figure import key_rows, map_box, nice_ticks, render, write_png
from hessianlens.engine.basins import basin_image, compute_basins, outcome_colours
from hessianlens.engine.fields import Rect
from hessianlens.engine.objective import objective_from_text
from hessianlens.engine.rules import make_rule

HIMMELBLAU = "(x**2 + y - 11)**2 + (x + y**2 - 7)**2"


def himmelblau_basins(n=64):
    return compute_basins(objective_from_text(HIMMELBLAU), make_rule("newton"),
                          Rect(-5, 5, -5, 5), n, max_steps=30)


def test_ticks_are_round_numbers_inside_the_range():
    assert nice_ticks(-4, 4) == [-4, -2, 0, 2, 4]
    assert nice_ticks(1.6, 4.6) == [2.0, 2.5, 3.0, 3.5, 4.0, 4.5]
    assert np.allclose(nice_ticks(0, 1e-6), [0, 2e-7, 4e-7, 6e-7, 8e-7, 1e-6], rtol=0, atol=1e-15)
    assert nice_ticks(3, 3) == [3]


def test_the_map_sits_in_the_frame_exactly_as_the_window_colours_it():
    bm = himmelblau_basins()
    image = np.asarray(render(bm, HIMMELBLAU))
    left, top, right, bottom = map_box(bm)
    assert image.shape[1] > right + 200 and image.shape[0] >= bottom + 40  # room for key, axes
    cells = basin_image(bm)[::-1]  # north up
    scale = (right - left) // cells.shape[1]
    for i, j in [(0, 0), (10, 50), (32, 32), (63, 63), (40, 5)]:
        y, x = top + i * scale + scale // 2, left + j * scale + scale // 2
        assert tuple(image[y, x]) == tuple(cells[i, j])


def test_the_key_names_every_outcome_in_its_colour():
    bm = himmelblau_basins()
    rows = key_rows(bm)
    texts = [t for _, t in rows]
    # Newton on Himmelblau ends at its 4 minima, 4 saddles and its maximum
    assert sum(t.startswith("minimum at") for t in texts) == 4
    assert any(t.startswith("saddle at") for t in texts)
    assert any(t.startswith("maximum at (-0.27, -0.92)") for t in texts)
    assert all(t.endswith("%") for t in texts)
    image = np.asarray(render(bm, HIMMELBLAU))
    key = image[:, map_box(bm)[2] + 10:].reshape(-1, 3)
    key_colours = {tuple(c) for c in key}
    for colour, _ in rows:
        assert colour in key_colours


def test_many_outcomes_are_counted_in_one_row(monkeypatch):
    bm = himmelblau_basins(32)
    monkeypatch.setattr(basins_figure, "KEY_ROWS", 3)
    rows = key_rows(bm)
    assert len(rows) == 4 and rows[-1][0] is None
    assert rows[-1][1].startswith(f"{len(bm.outcomes) - 3} more outcomes")


def test_written_file_is_a_checked_png_with_nothing_left_beside_it(tmp_path):
    bm = himmelblau_basins(32)
    path = tmp_path / "basins.png"
    write_png(bm, HIMMELBLAU, path)
    assert os.listdir(tmp_path) == ["basins.png"]
    with Image.open(path) as im:
        assert im.mode == "RGB" and im.width > 512
        assert {tuple(c) for c in outcome_colours(bm.outcomes)} <= \
            {tuple(c) for c in np.asarray(im).reshape(-1, 3)}


def test_readme_example_shows_more_than_one_outcome(tmp_path):
    """The README's basins example is meant to show something worth seeing."""
    out = tmp_path / "basins.png"
    done = subprocess.run(
        [sys.executable, "-m", "hessianlens", "basins", "--function", HIMMELBLAU, "--method",
         "newton", "--range=-5,5,-5,5", "--grid", "64", "--steps", "30", "--out", str(out)],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    kinds = {o["kind"] for o in json.loads(done.stdout)["outcomes"]}
    assert {"minimum", "saddle", "maximum"} <= kinds
    with Image.open(out) as im:
        assert im.width > 512
