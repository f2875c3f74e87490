"""The overlays' colours in one place (Qt-free): greens, purples, tans and greys only.

The same three hues mean the same thing everywhere: green where H is positive definite (det H
> 0 around a minimum, a basin of a minimum, a Newton step that goes downhill), purple where H
is indefinite (det H < 0, a basin of a saddle, a step that goes uphill), tan where H is
negative definite (a basin of a maximum). The methods' colours (model.PALETTE) keep to other
hues, so a colour on the plane names either a method or an overlay's class, never both
(tests/test_colours.py checks every pair).

Greens, purples and tans are ColorBrewer's PRGn and BrBG schemes (Harrower and Brewer 2003,
"ColorBrewer.org: an online tool for selecting colour schemes for maps", The Cartographic
Journal 40(1)), diverging schemes that read for colour-blind viewers.
"""

from __future__ import annotations

# det H: purple (< 0) through near-white (0) to green (> 0); PRGn, 11 classes.
DIVERGING = ("#40004b", "#762a83", "#9970ab", "#c2a5cf", "#e7d4e8", "#f7f7f7", "#d9f0d3",
             "#a6dba0", "#5aae61", "#1b7837", "#00441b")
# The stability map: tan (gradient descent's rate too large) through white to green (stable):
# BrBG's browns, PRGn's greens (BrBG's teals are near a method's cyan).
STABILITY = ("#8c510a", "#bf812d", "#dfc27d", "#f6e8c3", "#f7f7f7", "#d9f0d3", "#a6dba0",
             "#5aae61", "#1b7837")
# Curvature classes, opaque (the plane shows exactly the legend's colours).
POSITIVE_DEFINITE = "#a6dba0"
INDEFINITE = "#c2a5cf"
NEGATIVE_DEFINITE = "#dfc27d"
# Newton step field: arrows that go downhill or uphill, drawn on a white casing; rings
# where the step is about zero.
DOWNHILL = "#1b7837"
UPHILL = "#762a83"
STATIONARY = "#000000"
CASING = "#ffffff"
# Basins of attraction: the n-th stationary point of a kind takes its kind's n-th colour.
MINIMA = ("#1b7837", "#5aae61", "#a6dba0", "#00441b", "#4d9221", "#b8e186", "#2d7f3f",
          "#d9f0d3")
SADDLES = ("#762a83", "#9970ab", "#c2a5cf", "#40004b", "#e7d4e8")
MAXIMA = ("#bf812d", "#dfc27d", "#8c510a", "#f6e8c3")
DIVERGED = "#404040"
NOT_CONVERGED = "#bdbdbd"
# f's contour lines over the colour image of f, and over an overlay that covers it.
CONTOUR_ON_F = (255, 255, 255, 120)
CONTOUR_ON_OVERLAY = (40, 40, 40, 80)


def rgb(colour: str) -> tuple[int, int, int]:
    """'#1b7837' -> (27, 120, 55)."""
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
