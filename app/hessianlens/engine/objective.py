"""f, gradient and Hessian of a typed function: exact (sympy, vectorized) and numdifftools."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import sympy as sp

from hessianlens.engine.codegen import compile_source, numpy_function
from hessianlens.engine.product import PLANE_KIND, BuildProduct, product_from_text

__all__ = ["DerivativeComparison", "Objective", "PointDerivatives", "numpy_function",
           "objective_from_text"]


@dataclass(frozen=True)
class PointDerivatives:
    """f, gradient and Hessian at one point."""

    x: np.ndarray
    f: float
    grad: np.ndarray
    hessian: np.ndarray


@dataclass(frozen=True)
class DerivativeComparison:
    """Exact against numdifftools derivatives at one point."""

    exact: PointDerivatives
    numerical: PointDerivatives
    max_grad_difference: float
    max_hessian_difference: float

    @property
    def max_difference(self) -> float:
        return max(self.max_grad_difference, self.max_hessian_difference)


def _real_float(v) -> float:
    """A result as a float; a complex one ((-8.0)**(1/3) in Python arithmetic, or a numpy
    complex that float() would truncate with a ComplexWarning) is NaN unless it is real."""
    if isinstance(v, (float, int)) and not isinstance(v, bool):
        return float(v)
    a = np.asarray(v)
    if np.iscomplexobj(a):
        return float(a.real) if a.size == 1 and a.imag == 0 else float("nan")
    try:
        return float(a)
    except (TypeError, ValueError):
        return float("nan")


class Objective:
    """A function of the plane with exact vectorized derivatives.

    Build it with :func:`hessianlens.engine.build.build_objective` (a user's text: in a worker
    process with a time limit) or :func:`objective_from_text` (in this process). Every
    evaluation returns float arrays of the input's shape; non-finite results stay as inf/nan
    and raise nothing.
    """

    def __init__(self, product: BuildProduct):
        self.product = product
        self.text = product.text
        # numpy code printed by the build from the validated sympy tree (never the user's
        # text); cse shares the subexpressions of f, its gradient and its Hessian.
        self._all = compile_source(product.all_source)

    @cached_property
    def _f(self):
        # f alone is cheaper to evaluate than all six entries; compiled on first use, so
        # applying a function in the window does not pay for it.
        return compile_source(self.product.f_source)

    # --- the sympy expressions, unpickled on first use ----------------------------------
    @cached_property
    def _sympy(self):
        return self.product.sympy_expressions()

    @property
    def symbols(self):
        return self._sympy[0]

    @property
    def f_expr(self):
        return self._sympy[1]

    @property
    def grad_exprs(self):
        return self._sympy[2]

    @property
    def hessian_exprs(self):
        """(fxx, fxy, fyy)."""
        return self._sympy[3]

    # --- vectorized evaluation -------------------------------------------------------
    @staticmethod
    def _call(fn, x, y):
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        with np.errstate(all="ignore"):
            try:
                out = fn(x, y)
            except (OverflowError, ZeroDivisionError, ValueError, TypeError, FloatingPointError):
                out = np.nan
        return out, np.broadcast_shapes(x.shape, y.shape), (x, y)

    @staticmethod
    def _as_array(value, shape, inputs) -> np.ndarray:
        # Constant entries (the Hessian of a quadratic) come back as Python scalars, and
        # f = x returns the input array itself: both need a fresh array of the full shape.
        if isinstance(value, np.ndarray) and value.dtype == np.float64 and value.shape == shape \
                and not any(np.may_share_memory(value, a) for a in inputs):
            return value
        with np.errstate(all="ignore"):
            a = np.asarray(value)
            if np.iscomplexobj(a):
                a = np.where(np.abs(a.imag) > 0, np.nan, a.real)
            a = np.asarray(a, dtype=float)
        return np.array(np.broadcast_to(a, shape), dtype=float, order="C")

    def value(self, x, y) -> np.ndarray:
        """f at points (arrays broadcast together)."""
        out, shape, inputs = self._call(self._f, x, y)
        return self._as_array(out, shape, inputs)

    def derivatives(self, x, y) -> tuple[np.ndarray, ...]:
        """(f, gx, gy, hxx, hxy, hyy) at points, each of the broadcast input shape."""
        out, shape, inputs = self._call(self._all, x, y)
        if not isinstance(out, (list, tuple)):
            out = [out] * 6
        arrays, seen = [], set()
        for v in out:
            a = self._as_array(v, shape, inputs)
            if id(a) in seen:  # cse can return one array for two entries (exp(x): gx = hxx)
                a = a.copy()
            seen.add(id(a))
            arrays.append(a)
        return tuple(arrays)

    def _scalars(self, fn, p, count: int) -> list[float]:
        """fn at one point as floats: numpy scalars, so 1/0 is inf and sqrt(-1) NaN, not an
        exception; a complex or failed result is NaN. Much cheaper than 0-d arrays."""
        with np.errstate(all="ignore"):
            try:
                out = fn(np.float64(p[0]), np.float64(p[1]))
            except (OverflowError, ZeroDivisionError, ValueError, TypeError, FloatingPointError):
                return [np.nan] * count
        out = out if isinstance(out, (list, tuple)) else [out]
        return [_real_float(v) for v in out]

    def at(self, point) -> PointDerivatives:
        """Exact f, gradient and Hessian at one point."""
        p = np.asarray(point, dtype=float).reshape(2)
        f, gx, gy, hxx, hxy, hyy = self._scalars(self._all, p, 6)
        if np.isnan(f):  # undefined f, undefined derivatives (as in fields.compute_fields)
            gx = gy = hxx = hxy = hyy = np.nan
        return PointDerivatives(p, f, np.array([gx, gy]), np.array([[hxx, hxy], [hxy, hyy]]))

    def value_at(self, point) -> float:
        """f at one point, as a float."""
        return self._scalars(self._f, point, 1)[0]

    def numerical_at(self, point) -> PointDerivatives:
        """f, gradient and Hessian at one point by numdifftools (the source write-up's way)."""
        import numdifftools as nd

        p = np.asarray(point, dtype=float).reshape(2)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                g = np.asarray(nd.Gradient(self.value_at)(p), dtype=float).reshape(2)
                H = np.asarray(nd.Hessian(self.value_at)(p), dtype=float).reshape(2, 2)
            except (ValueError, ArithmeticError, np.linalg.LinAlgError):
                g, H = np.full(2, np.nan), np.full((2, 2), np.nan)
        return PointDerivatives(p, self.value_at(p), g, H)

    def compare_at(self, point) -> DerivativeComparison:
        """Exact and numdifftools derivatives at a point, with their largest differences."""
        exact, numerical = self.at(point), self.numerical_at(point)
        with np.errstate(all="ignore"):
            dg = float(np.max(np.abs(exact.grad - numerical.grad)))
            dH = float(np.max(np.abs(exact.hessian - numerical.hessian)))
        return DerivativeComparison(exact, numerical, dg, dH)

    # --- display ---------------------------------------------------------------------
    @property
    def gradient_text(self) -> tuple[str, str]:
        return self.product.gradient_text

    @property
    def hessian_text(self) -> tuple[tuple[str, str], tuple[str, str]]:
        hxx, hxy, hyy = self.product.hessian_text
        return ((hxx, hxy), (hxy, hyy))

    @cached_property
    def latex(self) -> dict[str, str]:
        """LaTeX of f, the gradient (a column) and the Hessian (a 2x2 matrix)."""
        gx, gy = (sp.latex(e) for e in self.grad_exprs)
        hxx, hxy, hyy = (sp.latex(e) for e in self.hessian_exprs)
        return {
            "f": sp.latex(self.f_expr),
            "gradient": rf"\begin{{pmatrix}} {gx} \\ {gy} \end{{pmatrix}}",
            "hessian": rf"\begin{{pmatrix}} {hxx} & {hxy} \\ {hxy} & {hyy} \end{{pmatrix}}",
        }


def objective_from_text(text: str) -> Objective:
    """Parse text (see :func:`parse_expression`) and build its Objective in this process,
    without a time limit: for texts we trust (presets, tests). A user's text goes through
    :func:`hessianlens.engine.build.build_objective`.

    Raises
    ------
    ExpressionError
        If the text is not an acceptable function of x and y (only ExpressionError).
    """
    return Objective(product_from_text(text, PLANE_KIND))
