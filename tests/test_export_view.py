"""What ``hessianlens export`` draws: the typed range exactly, fields over the whole drawn
view, and a key that leaves the plot most of the picture (in-process, offscreen Qt)."""

import pytest

from hessianlens.engine.fields import Rect

EXAMPLE3 = "sin(x)**2 + sin(10 + y*x/2)*cos(x)"
RANGE = Rect(0.0, 6.0, -1.0, 4.5)
ALL_OVERLAYS = "basins,stability,beliefs,curvature,quadratic-model"


def close(a: Rect, b: Rect, tol: float = 1e-6) -> bool:
    return all(abs(u - v) <= tol for u, v in zip((a.xmin, a.xmax, a.ymin, a.ymax),
                                                   (b.xmin, b.xmax, b.ymin, b.ymax)))


def export_view(qtbot, *args, size=(800, 550), grid=48):
    """The PlotView `hessianlens export ARGS` lays out and fills, and its state."""
    from hessianlens.cli import build_parser
    from hessianlens.export_cli import build_state, layout_size
    from hessianlens.ui.export import prepare_view
    from hessianlens.ui.plot_view import PlotView
    from hessianlens.ui.session import Session

    state = build_state(build_parser().parse_args(["export", "--out", "x.png", *args]))
    view = PlotView(Session.from_state(state))
    qtbot.addWidget(view)
    prepare_view(view, *layout_size(*size), grid=grid)
    return view


def drawn_rect(view) -> Rect:
    return view.current_rect()


@pytest.mark.parametrize("overlays", ["", ALL_OVERLAYS])
def test_the_typed_range_is_the_axes_range_in_every_frame(qtbot, overlays):
    from hessianlens.ui.animation import animation_frames

    view = export_view(qtbot, "--function", EXAMPLE3, "--start", "3.1,1.3", "--range",
                       "0,6,-1,4.5", "--steps", "5", "--overlays", overlays, size=(400, 300))
    assert close(drawn_rect(view), RANGE), drawn_rect(view)
    assert close(view.bundle.fields.rect, RANGE)
    for _ in animation_frames(view, 400, 300):
        assert close(drawn_rect(view), RANGE), drawn_rect(view)
    view.worker.wait()


def test_equal_aspect_is_off_for_a_typed_range_and_kept_from_a_session_file(tmp_path):
    from hessianlens.cli import build_parser
    from hessianlens.export_cli import build_state
    from hessianlens.model import SessionState, default_methods
    from hessianlens.session_file import save_session

    def state(*args):
        return build_state(build_parser().parse_args(["export", "--out", "x.png", *args]))

    typed = ("--function", "x**2", "--start", "1,1")
    assert state(*typed).equal_aspect is False
    assert state(*typed, "--range", "0,6,-1,4.5").equal_aspect is False
    assert state(*typed, "--equal-aspect").equal_aspect is True
    path = tmp_path / "s.hlens.json"
    save_session(path, SessionState("x**2", RANGE, (1.0, 1.0), default_methods(),
                                    equal_aspect=True))
    assert state("--session", str(path)).equal_aspect is True  # drawn as it was saved
    assert state("--session", str(path), "--range", "0,1,0,1").equal_aspect is False
    assert state("--session", str(path), "--no-equal-aspect").equal_aspect is False


def test_equal_aspect_on_request_widens_and_the_fields_cover_the_drawn_view(qtbot):
    view = export_view(qtbot, "--function", EXAMPLE3, "--start", "3.1,1.3", "--range",
                       "0,6,-1,4.5", "--overlays", ALL_OVERLAYS, "--equal-aspect")
    r = drawn_rect(view)
    assert r.width > RANGE.width + 0.5  # widened to the plot's shape, one unit per unit
    # The fields were computed for the view that is drawn, not the one before it widened.
    assert close(view.bundle.fields.rect, r, tol=1e-6 * r.width), (view.bundle.fields.rect, r)
    assert close(view.session.rect, r, tol=1e-6 * r.width)
    view.worker.wait()


def test_with_every_overlay_the_key_takes_at_most_about_a_third(qtbot):
    view = export_view(qtbot, "--function", EXAMPLE3, "--start", "3.1,1.3", "--range",
                       "0,6,-1,4.5", "--overlays", ALL_OVERLAYS)
    key, whole = view.legend.size().height(), view.graphics.height()
    assert 0 < key <= 0.36 * whole, (key, whole)
    shown = view.legend.shown_labels()
    assert not any("hover" in text for text in shown), shown
    assert any("more" in text for text in shown)  # what the key leaves out is counted
    # The list of basins is what gives way, not the keys of the other overlays.
    assert any(text.startswith("2/lambda_max") for text in shown), shown
    assert any(text.startswith("hatched") for text in shown), shown
    view.worker.wait()
