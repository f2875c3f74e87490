"""The 3D surface follows the plane's log colour scale: Rosenbrock's valley is coloured as on
the plane, not nearly all in viridis' darkest (the caption said "as on the plane")."""

import numpy as np

from hessianlens.engine.colour_scale import log_colours
from hessianlens.engine.fields import Rect, compute_value
from hessianlens.engine.objective import objective_from_text
from hessianlens.ui.contours import robust_range
from hessianlens.ui.session import Session
from hessianlens.ui.surface.surface_view import SurfacePage
from hessianlens.ui.surface.surface_worker import VIRIDIS, SurfaceRequest, compute_surface

ROSENBROCK = "(1 - x)**2 + 100*(y - x**2)**2"
VIEW = Rect(-2, 2, -3.5, 3)  # the Rosenbrock preset's view (its colours are log)


def test_log_colours_on_the_surface_are_the_planes():
    objective = objective_from_text(ROSENBROCK)
    n = 64
    f = compute_value(objective, VIEW, n)
    plane = log_colours(f, robust_range(f))  # the plane's log scale (contours.py)
    log = compute_surface(SurfaceRequest(objective, VIEW, n, log_colour=True))
    linear = compute_surface(SurfaceRequest(objective, VIEW, n))
    shade = log.mesh.shade[..., None]
    # Where shading leaves enough light to read the hue: the colour before shading.
    lit = log.mesh.shade > 0.5
    expected = VIRIDIS[np.clip(np.nan_to_num(plane.image.T) * 255, 0, 255).astype(np.intp)]
    seen = log.colours[..., :3] / shade
    assert np.abs(seen - expected)[lit].max() <= 3
    # The linear scale puts most of the view in viridis' darkest tenth; the log one does not.
    lo, hi = robust_range(f)
    assert np.mean((f - lo) / (hi - lo) < 0.1) > 0.5 and np.mean(plane.image < 0.1) < 0.2
    assert np.abs(linear.colours[..., :3] / shade - expected)[lit].max() > 50
    assert len(log.contours) > 0


def test_the_surface_asks_for_log_colours_when_the_plane_uses_them(qtbot):
    session = Session(ROSENBROCK, VIEW, (-1.2, 1.0))
    page = SurfacePage(session)
    qtbot.addWidget(page)
    requests = []
    page.worker.request = lambda request, now=False: requests.append(request)
    session.set_log_colour(True)
    page._request(now=True)
    assert requests and requests[-1].log_colour is True
    session.set_log_colour(False)
    page._request(now=True)
    assert requests[-1].log_colour is False
