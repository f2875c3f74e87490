"""The rules registry and its parameters: validation with messages that name the valid values."""

import math

import pytest

from hessianlens.engine.params import BOOL, CHOICE, INT, Param, resolve
from hessianlens.engine.rules import BUILT_IN, RULES, make_rule, register, rule_class, unregister
from hessianlens.engine.rules.base import StatelessRule, Steps, full


def test_every_built_in_rule_declares_title_explanation_and_its_parameters():
    assert list(RULES) == ["gd", "newton", "newton-linesearch", "saddle-free", "damped-newton",
                           "optimal-lr", "bfgs", "sr1", "trust-region", "dogleg", "momentum",
                           "nesterov", "adam", "rmsprop"]
    for cls in BUILT_IN:
        assert cls.title and cls.explanation and "\n" not in cls.explanation
        assert cls.params and all(p.help for p in cls.params)
        lr = next((p for p in cls.params if p.name == "learning_rate"), None)
        if lr is not None:  # a step scale, stepped by factors in the panel
            assert lr.log and make_rule(cls.name).learning_rate == lr.default
    # The rules without a learning rate: a line search or a trust radius sets the step.
    assert [c.name for c in BUILT_IN if "learning_rate" not in {p.name for p in c.params}] \
        == ["bfgs", "sr1", "trust-region", "dogleg"]


def test_defaults_are_the_rules_own():
    assert make_rule("gd").learning_rate == 0.1 and make_rule("newton").learning_rate == 1.0
    assert make_rule("gd", learning_rate=0.5) == make_rule("gd", learning_rate=0.5)
    assert make_rule("gd", learning_rate=0.5) != make_rule("gd")


@pytest.mark.parametrize("params, words", [
    ({"momentum": 0.9}, "has no parameter 'momentum'; its parameters: learning_rate"),
    ({"learning_rate": -1}, "learning_rate must be a number from 1e-06 to 1000, not -1"),
    ({"learning_rate": math.inf}, "learning_rate must be a number from"),
    ({"learning_rate": "fast"}, "not 'fast'"),
    ({"learning_rate": True}, "not True"),
])
def test_unknown_or_out_of_range_parameters_are_value_errors_naming_the_valid_ones(params,
                                                                                    words):
    with pytest.raises(ValueError) as info:
        make_rule("gd", **params)
    assert words in str(info.value)


def test_unknown_method_names_the_registered_ones():
    with pytest.raises(ValueError, match="unknown method 'adagrad': choose from gd, newton"):
        rule_class("adagrad")
    with pytest.raises(ValueError, match="unknown method"):
        rule_class(["gd"])  # not even a string


def test_param_kinds_validate_and_parse():
    steps = Param("memory", 5, (1, 20), kind=INT, help="how many pairs")
    assert steps.validate(7) == 7 and steps.validate(7.0) == 7 and steps.parse(" 12 ") == 12
    for bad in (7.5, 0, 21, "7", True):
        with pytest.raises(ValueError, match="memory must be a whole number from 1 to 20"):
            steps.validate(bad)
    tune = Param("tune", "none", kind=CHOICE, choices=("none", "hessian"))
    assert tune.validate("hessian") == "hessian" and tune.parse("none") == "none"
    with pytest.raises(ValueError, match="tune must be one of: 'none', 'hessian', not 'adam'"):
        tune.parse("adam")
    flag = Param("on", False, kind=BOOL)
    assert flag.parse("yes") is True and flag.validate(False) is False
    with pytest.raises(ValueError, match="true or false"):
        flag.validate(1)
    live = Param("rule", "gd", kind=CHOICE, choices=lambda: tuple(RULES))
    assert live.validate("saddle-free") == "saddle-free"
    with pytest.raises(ValueError):
        Param("x", 0, kind="complex")


def test_a_huge_integer_is_refused_with_a_short_message():
    lr = RULES["gd"].params[0]
    with pytest.raises(ValueError) as info:
        lr.validate(10 ** 5000)
    assert "a number too large" in str(info.value) and len(str(info.value)) < 200


def test_resolve_fills_in_defaults():
    params = (Param("a", 1.0), Param("b", "x", kind=CHOICE, choices=("x", "y")))
    assert resolve(params, {"b": "y"}, "thing") == {"a": 1.0, "b": "y"}


class _Half(StatelessRule):
    name, title, explanation = "half", "Half a gradient step", "x <- x - grad f / 2"

    def step(self, objective, b):
        return Steps(-0.5 * b.gx, -0.5 * b.gy, full(b, 0.5))


def test_register_and_unregister_at_run_time():
    try:
        assert register(_Half) is _Half and RULES["half"] is _Half
        assert make_rule("half").summary({}) == "" and math.isnan(make_rule("half").learning_rate)
        register(_Half)  # the same class again: no change
        clash = type("Clash", (_Half,), {})
        with pytest.raises(ValueError, match="registered already"):
            register(clash)
        with pytest.raises(ValueError, match="needs a name"):
            register(type("Nameless", (StatelessRule,), {}))
    finally:
        unregister("half")
    assert "half" not in RULES
