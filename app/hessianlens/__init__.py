"""Hessian Lens: see why the Hessian gives the optimal learning rate, and when it betrays you."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("hessianlens")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
