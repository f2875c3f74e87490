"""The step rules: one module per rule, and the one registry every other part reads.

A new rule is one file (a :class:`~hessianlens.engine.rules.base.Rule` subclass) and one line
in BUILT_IN; a plug-in or a test adds one at run time with :func:`register`.
"""

from __future__ import annotations

from hessianlens.engine.rules import (adam, bfgs, damped_newton, dogleg, gd, momentum, nesterov,
                                      newton, newton_linesearch, optimal_lr, rmsprop, saddle_free,
                                      sr1, trust_region)
from hessianlens.engine.rules.base import Rule

# In the order of the methods panel, the colours and the command line's lists.
BUILT_IN = (
    gd.GradientDescent,
    newton.Newton,
    newton_linesearch.NewtonLineSearch,
    saddle_free.SaddleFree,
    damped_newton.DampedNewton,
    optimal_lr.OptimalRate,
    bfgs.BFGS,
    sr1.SR1,
    trust_region.TrustRegion,
    dogleg.Dogleg,
    momentum.HeavyBall,
    nesterov.Nesterov,
    adam.Adam,
    rmsprop.RMSProp,
)

RULES: dict[str, type[Rule]] = {}


def register(cls: type[Rule]) -> type[Rule]:
    """Add a rule class to the registry (usable as a class decorator); returns it.

    Raises ValueError for a class without name, title or explanation, with params that are
    not Params, or whose name another rule already has.
    """
    from hessianlens.engine.params import Param

    if not (isinstance(cls, type) and issubclass(cls, Rule)):
        raise ValueError(f"{cls!r} is not a Rule subclass")
    if not (cls.name and cls.title and cls.explanation):
        raise ValueError(f"{cls.__name__} needs a name, a title and an explanation")
    if not all(isinstance(p, Param) for p in cls.params):
        raise ValueError(f"{cls.__name__}.params must be Params")
    if RULES.get(cls.name, cls) is not cls:
        raise ValueError(f"a rule named {cls.name!r} is registered already")
    RULES[cls.name] = cls
    return cls


def unregister(name: str) -> None:
    """Remove a rule from the registry (nothing happens for an unknown name)."""
    RULES.pop(name, None)


for _cls in BUILT_IN:
    register(_cls)


def rule_class(name: str) -> type[Rule]:
    """The registered rule class of that name; ValueError naming the valid ones otherwise."""
    try:
        return RULES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown method {str(name)[:40]!r}: choose from "
                         f"{', '.join(RULES)}") from None


def make_rule(name: str, **params) -> Rule:
    """A step rule by name with its parameters (the others at their defaults).

    Raises
    ------
    ValueError
        For an unknown name, an unknown parameter or a value out of range (the message
        names the valid ones).
    """
    return rule_class(name)(**params)
