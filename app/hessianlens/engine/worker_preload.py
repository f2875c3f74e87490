"""Imported once by the build workers' fork server (see hessianlens.engine.workers), never by
the program itself: it imports the build and warms sympy up (product.warm_up), so that every
worker forked from the server starts warm."""

from hessianlens.engine import build  # noqa: F401 - the workers run build's code
from hessianlens.engine.product import warm_up

warm_up()
