"""engine/surface.py: heights (clipped, log), the scene frame, hill shading, draped paths."""

import numpy as np
import pytest

from hessianlens.engine.fields import Rect, compute_value
from hessianlens.engine.objective import objective_from_text
from hessianlens.engine.rules import make_rule
from hessianlens.engine.surface import (BOX_HEIGHT, CLIP, LOG, PATH_LIFT, HeightScale,
                                        SceneFrame, drape_path, height_scale, hillshade,
                                        level_segments, surface_mesh)
from hessianlens.engine.trajectory import run
from hessianlens.ui.contours import robust_range

EXAMPLE3 = "sin(x0)**2 + sin(10 + x1*x0/2) * cos(x0)"
ROSENBROCK = "(1 - x)**2 + 100*(y - x**2)**2"
SQUARE = Rect(-4, 4, -4, 4)


def grid(text, rect=SQUARE, n=128):
    objective = objective_from_text(text)
    f = compute_value(objective, rect, n)
    return objective, f


def test_clipped_heights_keep_a_bounded_function_whole():
    _, f = grid(EXAMPLE3)
    scale = height_scale(f, robust_range(f), CLIP)
    assert scale.lo == pytest.approx(np.nanmin(f)) and scale.hi == pytest.approx(np.nanmax(f))
    h = scale.heights(f)
    assert np.nanmin(h) == pytest.approx(0.0) and np.nanmax(h) == pytest.approx(1.0)
    # Nothing is cut, and the 3D caption does not say "clipped" (it did for Example 3).
    assert scale.describe() == f"height f on [{scale.lo:.4g}, {scale.hi:.4g}], its whole " \
        f"range here"


def test_clipped_heights_cut_a_pole_flat_but_keep_the_floor():
    _, f = grid("1/(x**2 + y**2 + 0.001)")
    lo, hi = robust_range(f)
    scale = height_scale(f, (lo, hi), CLIP)
    assert np.nanmax(f) > 300 and scale.hi < np.nanmax(f) / 10  # the pole is cut
    assert scale.hi == pytest.approx(hi + 0.25 * (hi - lo))
    assert scale.lo == pytest.approx(np.nanmin(f))  # the floor is not
    assert scale.heights(np.nanmax(f)) == 1.0 and scale.heights(scale.lo) == 0.0
    assert scale.describe() == f"height f on [{scale.lo:.4g}, {scale.hi:.4g}], clipped above"
    below = height_scale(-f, robust_range(-f), CLIP)  # the pole pointing down
    assert below.describe() == f"height f on [{below.lo:.4g}, {below.hi:.4g}], clipped below"
    both = height_scale(np.array([-1e6, *np.linspace(0, 1, 100), 1e6]), (0.0, 1.0), CLIP)
    assert both.describe() == "height f clipped to [-0.25, 1.25]"


def test_log_heights_are_monotone_and_give_rosenbrocks_valley_room():
    _, f = grid(ROSENBROCK)
    scale = height_scale(f, robust_range(f), LOG)
    assert scale.mode == LOG and scale.lo == np.nanmin(f) and scale.hi == np.nanmax(f)
    values = np.linspace(scale.lo, scale.hi, 1000)
    h = scale.heights(values)
    assert h[0] == pytest.approx(0) and h[-1] == pytest.approx(1) and np.all(np.diff(h) > 0)
    # f = 100 is 0.25% of the way up to 40,000 linearly; on the log scale a fifth of the way.
    linear = height_scale(f, robust_range(f), CLIP)
    assert scale.heights(100.0) > 0.2 and scale.heights(100.0) > 50 * linear.heights(100.0)


def test_heights_of_undefined_and_infinite_f():
    scale = HeightScale(CLIP, 0.0, 2.0)
    h = scale.heights(np.array([np.nan, np.inf, -np.inf, 1.0]))
    assert np.isnan(h[0]) and h[1] == 1.0 and h[2] == 0.0 and h[3] == 0.5
    flat = height_scale(np.full((4, 4), 3.0), (3.0, 3.0), LOG)
    assert flat.heights(3.0) == 0.5  # a constant function is a flat sheet half-way up
    with pytest.raises(ValueError):
        height_scale(np.zeros((2, 2)), (0, 1), "cubic")


def test_mesh_is_x_major_and_keeps_the_views_aspect():
    rect = Rect(0, 4, -1, 1)  # twice as wide as tall
    objective = objective_from_text("x")
    f = compute_value(objective, rect, 9, 5)  # (ny, nx) = (5, 9)
    mesh = surface_mesh(f, rect, height_scale(f, robust_range(f), CLIP))
    assert mesh.z.shape == (9, 5) and mesh.shade.shape == (9, 5)
    assert np.all(np.diff(mesh.z[:, 0]) > 0) and np.all(mesh.z[3] == mesh.z[3, 0])
    assert mesh.xs[0] == -1 and mesh.xs[-1] == 1
    assert mesh.ys[0] == pytest.approx(-0.5) and mesh.ys[-1] == pytest.approx(0.5)
    assert mesh.z.max() == pytest.approx(BOX_HEIGHT) and mesh.z.min() == 0


def test_undefined_f_lies_on_the_floor():
    rect = Rect(-2, 2, -1, 1)
    f = compute_value(objective_from_text("log(x)"), rect, 21)
    mesh = surface_mesh(f, rect, height_scale(f, robust_range(f), CLIP))
    assert not mesh.defined[:10].any() and mesh.defined[11:].all()
    assert np.all(mesh.z[:10] == 0) and np.isfinite(mesh.shade).all()


def test_hillshade_lights_the_slope_that_faces_the_light():
    xs = ys = np.linspace(-1, 1, 11)
    flat = hillshade(np.zeros((11, 11)), xs, ys, altitude_deg=45, ambient=0.4)
    assert np.allclose(flat, 0.4 + 0.6 * np.sin(np.radians(45)))
    X = np.meshgrid(xs, ys, indexing="ij")[0]
    # The light at azimuth 0 comes from +x: a slope rising towards -x faces it.
    facing = hillshade(-0.5 * X, xs, ys, azimuth_deg=0)
    away = hillshade(0.5 * X, xs, ys, azimuth_deg=0)
    assert facing.min() > flat.max() > away.max()


def test_newton_on_example_3_climbs_to_the_saddle_on_the_surface():
    objective, f = grid(EXAMPLE3, Rect(0.5, 5.5, -1, 4.5), 256)
    rect = Rect(0.5, 5.5, -1, 4.5)
    scale = height_scale(f, robust_range(f), CLIP)
    frame = SceneFrame(rect)
    traj = run(objective, make_rule("newton", learning_rate=1.0), (3.1, 1.3))
    assert traj.end_kind == "saddle"
    path = drape_path(objective, traj.points, frame, scale, rect.width / 255)
    z = path.iterates[:, 2]
    assert path.inside.all() and np.all(np.diff(z) >= -1e-6) and z[-1] - z[0] > 0.15
    # Every sample lies on the surface of f (lifted by PATH_LIFT).
    pts = path.segments
    x = pts[:, 0] * frame.half + (rect.xmin + rect.xmax) / 2
    y = pts[:, 1] * frame.half + (rect.ymin + rect.ymax) / 2
    expected = BOX_HEIGHT * scale.heights(objective.value(x, y)) + PATH_LIFT
    assert np.allclose(pts[:, 2], expected, atol=1e-5)
    # The first step (0.68 long) is sampled about once per grid cell, not drawn as one chord.
    first = path.segments_before[1]
    assert first >= np.hypot(*(traj.points[1] - traj.points[0])) / (rect.width / 255) - 1


def test_a_path_that_leaves_the_view_is_cut_at_its_edge():
    objective = objective_from_text("x**2 + y**2")
    rect = Rect(-1, 1, -1, 1)
    points = np.array([[0.0, 0.0], [0.5, 0.0], [3.0, 0.0], [np.inf, 0.0]])
    scale = HeightScale(CLIP, 0.0, 2.0)
    path = drape_path(objective, points, SceneFrame(rect), scale, 0.05)
    assert path.inside.tolist() == [True, True, False, False]
    assert np.abs(path.segments[:, :2]).max() <= 1.0 + 1e-6
    counts = [len(path.up_to(k)) for k in range(4)]
    assert counts[0] == 0 and counts[1] > 0 and counts[1] < counts[2] == counts[3]
    assert path.up_to(99).shape == path.segments.shape  # past the end: the whole path


def test_contour_lines_lie_at_their_levels_height():
    scale = HeightScale(CLIP, 0.0, 4.0)
    x = np.array([0.0, 1.0, np.nan, 2.0, 3.0, 4.0])
    y = np.zeros(6)
    seg = level_segments(x, y, 1.0, SceneFrame(Rect(0, 4, -2, 2)), scale)
    assert seg.shape == (6, 3)  # pairs (0,1), (3,4), (4,5): the NaN break joins nothing
    assert np.allclose(seg[:, 2], BOX_HEIGHT * 0.25 + PATH_LIFT / 2)
