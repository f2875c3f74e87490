"""The overlays of the plane, one Qt-free record each.

The View menu, the toolbar, the shortcuts, the session files, the remembered settings and
``hessianlens export --overlays`` all read this registry; the plane draws each overlay with
the module its record names (imported when the plane is built, as napari looks up the
visual of an overlay model by its type). A new overlay is one file under ``ui/overlays/``
and one record here (or :func:`register_overlay` at run time).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hessianlens.engine.params import BOOL, CHOICE, INT, Param, resolve
from hessianlens.engine.rules import RULES

# What an overlay needs from the plane: "payload" - the fields job calls its module's
# prepare(objective, fields) off the GUI thread and hands the result to it with every new
# grid; "fields" - it is told of every new grid (the contour levels of f, say); "zoom" - of
# every change of the pixel size; "selection" - of every change of the selected iterate.
NEEDS = ("payload", "fields", "zoom", "selection")


@dataclass(frozen=True)
class OverlaySpec:
    """One overlay: its names, what it needs, its settings, the modules that draw it."""

    name: str  # the key of session files and the remembered settings
    title: str
    tooltip: str
    shortcut: str
    module: str  # the ui module that draws it: it defines Layer (ui/overlays/base.py)
    needs: tuple[str, ...] = ()
    settings: tuple[Param, ...] = ()
    menu_settings: tuple[str, ...] = ()  # boolean settings offered as View-menu toggles
    panel: str = ""  # a ui module defining Panel(layer, session): the overlay's dock
    panel_title: str = ""
    short_title: str = ""  # on the toolbar, where the title would not fit (default: title)

    def __post_init__(self):
        unknown = set(self.needs) - set(NEEDS)
        if unknown:
            raise ValueError(f"overlay {self.name!r}: unknown needs {sorted(unknown)}")

    @property
    def toolbar_title(self) -> str:
        return self.short_title or self.title

    @property
    def cli_name(self) -> str:
        """The name on the command line: 'newton-field'."""
        return self.name.replace("_", "-")

    def resolve(self, values: Mapping) -> dict:
        """Every setting, validated (ValueError naming the valid ones), defaults filled in."""
        return resolve(self.settings, values, f"overlay '{self.name}'")


def _rule_names() -> tuple[str, ...]:
    return tuple(RULES)


def _rule_names_or_none() -> tuple[str, ...]:
    return ("", *RULES)


BUILT_IN = (
    OverlaySpec("determinant", "Hessian determinant",
                "Colour the plane by det H (purple < 0 < green) and draw the curve det H = 0",
                "Ctrl+1", "hessianlens.ui.overlays.determinant", ("payload",),
                short_title="det H"),
    OverlaySpec("newton_field", "Newton step field",
                "Arrows of the Newton step -H^-1 grad f on a coarse grid: green where it goes "
                "downhill, purple where it goes uphill; black rings where it is about zero",
                "Ctrl+2", "hessianlens.ui.overlays.newton_field", ("payload", "zoom"),
                settings=(Param("normalized", True, kind=BOOL, label="Normalized Newton arrows",
                                help="Draw every Newton arrow the same length (off: the true "
                                     "step, whose tip is where a full Newton step lands)"),),
                menu_settings=("normalized",), short_title="Newton field"),
    OverlaySpec("curvature", "Curvature classes",
                "Colour where H is positive definite (green), indefinite (purple) and negative "
                "definite (tan)",
                "Ctrl+3", "hessianlens.ui.overlays.curvature", ("payload",),
                short_title="Curvature"),
    OverlaySpec("quadratic_model", "Local quadratic model",
                "Contours of the second-order Taylor model of f at the selected iterate",
                "Ctrl+4", "hessianlens.ui.overlays.quadratic_model", ("fields", "selection"),
                short_title="Quadratic model"),
    OverlaySpec("basins", "Basins of attraction",
                "Colour every start of a grid over the view by where a rule takes it (rule, "
                "comparison and grid in the Basins panel)",
                "Ctrl+5", "hessianlens.ui.overlays.basins",
                settings=(
                    Param("rule", "newton", kind=CHOICE, choices=_rule_names,
                          help="The rule whose basins are coloured (its parameters and "
                               "tolerance come from the Methods panel)"),
                    Param("compare", "gd", kind=CHOICE, choices=_rule_names_or_none,
                          help="A second rule whose basin boundaries are outlined ('' for none)"),
                    Param("swapped", False, kind=BOOL,
                          help="Colour the second rule's basins and outline the first's"),
                    Param("grid", 256, (32, 512), kind=INT, help="Starts per side of the grid"),
                    Param("max_steps", 50, (1, 1000), kind=INT, label="Steps (K)",
                          help="K: a start that has not converged after K steps is "
                               "'not converged'")),
                panel="hessianlens.ui.basins_panel", panel_title="Basins", short_title="Basins"),
    OverlaySpec("stability", "Stability",
                "Colour the plane by 2/lambda_max, the rate above which gradient descent "
                "diverges on the local quadratic (hatched where H is not positive definite), "
                "and draw the curve where it equals gradient descent's rate: green where that "
                "rate is locally stable, tan where it is not",
                "Ctrl+6", "hessianlens.ui.overlays.stability", ("payload",)),
    OverlaySpec("beliefs", "Believed H",
                "At the selected iterate, the quadratic model the selected method believes in "
                "(its level set through the iterate, in its colour) beside the true Hessian's "
                "(thick white); the trust radius with the model's minimiser and the Cauchy "
                "point; Adam's and RMSProp's per-coordinate steps against 1/H_ii and 1/|lambda|",
                "Ctrl+7", "hessianlens.ui.overlays.beliefs", ("fields", "selection")),
)

OVERLAYS: dict[str, OverlaySpec] = {}


def register_overlay(spec: OverlaySpec) -> OverlaySpec:
    """Add an overlay to the registry; ValueError if another has its name."""
    if OVERLAYS.get(spec.name, spec) != spec:
        raise ValueError(f"an overlay named {spec.name!r} is registered already")
    OVERLAYS[spec.name] = spec
    return spec


def unregister_overlay(name: str) -> None:
    OVERLAYS.pop(name, None)


for _spec in BUILT_IN:
    register_overlay(_spec)


def overlay_names() -> tuple[str, ...]:
    """Every registered overlay's name, in menu order."""
    return tuple(OVERLAYS)


def default_settings() -> dict[str, dict]:
    """Every overlay's settings at their defaults (overlays without settings left out)."""
    return {s.name: s.resolve({}) for s in OVERLAYS.values() if s.settings}
