"""The check that a basin map agrees, start by start, with single trajectories from those starts.

The vectorized basins run and the one-start runner are two implementations of one iteration;
a user reads a pixel's colour as what the path from that pixel does.
"""

import numpy as np

from hessianlens.engine.basins import DIVERGED, MAXIMUM, MINIMUM, NOT_CONVERGED, SADDLE
from hessianlens.engine.basins import compute_basins
from hessianlens.engine.fields import Rect
from hessianlens.engine.trajectory import CONVERGED, DIVERGED as RUN_DIVERGED, run


def assert_basins_agree_with_trajectories(objective, rule, n, samples, seed, max_steps=30):
    bm = compute_basins(objective, rule, Rect(-4, 4, -4, 4), n, max_steps=max_steps)
    rng = np.random.default_rng(seed)
    for i, j in rng.integers(0, n, size=(samples, 2)):
        traj = run(objective, rule, (bm.xs[j], bm.ys[i]), max_steps=max_steps)
        outcome = bm.outcomes[bm.labels[i, j]]
        assert bm.steps[i, j] == traj.steps_taken
        if traj.status == CONVERGED:
            assert outcome.kind in (MINIMUM, SADDLE, MAXIMUM)
            if outcome.point is not None:
                assert np.hypot(*(traj.points[-1] - outcome.point)) < 0.05
        elif traj.status == RUN_DIVERGED:
            assert outcome.kind == DIVERGED
        else:  # max_steps or singular_hessian
            assert outcome.kind == NOT_CONVERGED
