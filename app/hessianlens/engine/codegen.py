"""numpy code for sympy expressions: printed in one place (the build worker), compiled in another.

sympy.lambdify prints a validated sympy tree as Python source that calls numpy, and compiles it.
We split the two steps so that the printing, which can be slow for a large tree, runs in the
build worker under its time limit, while the caller compiles the finished source: a few hundred
characters for a typed function, bounded by the parser's size limits.

The source is compiled in a namespace made of numpy's own module dictionary. lambdify's default
namespace runs ``from numpy import *``, which loads numpy.testing and numpy.f2py (about 50 ms
of start-up here) for names the printed code never uses.
"""

from __future__ import annotations

import builtins
import linecache

import numpy as np
import sympy as sp

FUNCTION_NAME = "_lambdifygenerated"


def numpy_source(symbols, exprs) -> str:
    """Python source of a function of symbols returning exprs (a list gives a list), with
    common subexpressions shared. Without a docstring: by default lambdify prints every
    expression into one, which took 40% of its time here."""
    fn = sp.lambdify(symbols, exprs, modules=[np], cse=True, docstring_limit=-1)
    # lambdify keeps the source it compiled in linecache, under the code's file name (read
    # here directly: inspect.getsource looks for the module file first, which fails in the
    # bundled application).
    return "".join(linecache.cache[fn.__code__.co_filename][2])


def _namespace() -> dict:
    # numpy's names without its module attributes (__name__, __file__ ...): the function is
    # ours, not numpy's.
    ns = {k: v for k, v in vars(np).items() if not k.startswith("__")}
    ns.update({"builtins": builtins, "range": range})
    return ns


def compile_source(source: str):
    """The function defined by source from :func:`numpy_source`."""
    namespace = _namespace()
    code = compile(source, "<hessianlens numpy code>", "exec")  # safe: as exec below
    exec(code, namespace)  # safe: code printed by sympy's NumPyPrinter from a validated tree, never user text
    return namespace[FUNCTION_NAME]


def numpy_function(symbols, exprs):
    """sympy.lambdify to numpy, in this process: :func:`numpy_source` then compile."""
    return compile_source(numpy_source(symbols, exprs))
