"""Text -> validated tree -> sympy expression, without ever evaluating the text.

The text is parsed with Python's ``ast`` module, every node is checked against a
whitelist, and the sympy expression is built from the tree by hand. Nothing the
user typed is passed to eval, exec, compile, sympify or parse_expr.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

import sympy as sp

from hessianlens.engine import guards
from hessianlens.engine.errors import ExpressionError
from hessianlens.engine.guards import COMPLEX_MESSAGE, MAX_DEPTH, MAX_LENGTH
from hessianlens.engine.vocabulary import (_BINOPS, _FORBIDDEN, _IMPLICIT_PRODUCT, _OP_SYMBOLS,
                                           CONSTANTS, FUNCTIONS, _transform)

_PREFIXES = ("np", "numpy", "math")


@dataclass(frozen=True)
class VariableSpec:
    """Names a function may use for its variables, mapped to positions."""

    names: tuple[str, ...]  # canonical names, also the sympy symbol names
    aliases: dict[str, int] = field(default_factory=dict)
    vector_name: str | None = None  # ``x`` in ``x[0]``

    def describe(self) -> str:
        shown = list(self.names)
        if self.vector_name:
            shown += [f"{self.vector_name}[{i}]" for i in range(len(self.names))]
        return ", ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else shown[0]


PLANE = VariableSpec(("x", "y"), {"x": 0, "y": 1, "x0": 0, "x1": 1}, vector_name="x")
LINE = VariableSpec(("w",), {"w": 0, "x": 0, "w0": 0, "x0": 0})


@dataclass(frozen=True)
class ParsedExpression:
    """A validated function of the spec's variables."""

    text: str
    expr: sp.Expr
    symbols: tuple[sp.Symbol, ...]


class _Builder:
    def __init__(self, text: str, spec: VariableSpec):
        self.text = text
        self.spec = spec
        self.symbols = tuple(sp.Symbol(n, real=True) for n in spec.names)
        self.source, self.where = _transform(text)
        self.line_starts = [0]
        for ln in self.source.split("\n")[:-1]:
            self.line_starts.append(self.line_starts[-1] + len(ln) + 1)
        self.lines = self.source.split("\n")
        self.vector_name = spec.vector_name
        self.names = dict(spec.aliases)
        self.vector_allowed = spec.vector_name is not None
        self.cost = guards.DerivativeCost()

    # --- positions -------------------------------------------------------------------
    def _offset(self, lineno: int | None, col: int | None) -> int:
        """Offset in the original text of (1-based line, utf-8 byte column) in the source."""
        if not lineno or lineno > len(self.lines):
            return 0
        line = self.lines[lineno - 1]
        chars = len(line.encode("utf-8")[: max(0, col or 0)].decode("utf-8", "ignore"))
        pos = min(self.line_starts[lineno - 1] + chars, len(self.source))
        return self.where[pos]

    def error(self, message: str, node: ast.AST | None = None) -> ExpressionError:
        if node is None or not hasattr(node, "lineno"):
            return ExpressionError(message, 0, max(1, len(self.text)), self.text)
        start = self._offset(node.lineno, node.col_offset)
        end = self._offset(getattr(node, "end_lineno", None), getattr(node, "end_col_offset", None))
        return ExpressionError(message, start, max(1, end - start), self.text)

    # --- parsing ---------------------------------------------------------------------
    def parse(self) -> ParsedExpression:
        if not self.text.strip():
            raise ExpressionError("the function is empty: type an expression such as x**2 + y**2",
                                  0, 1, self.text)
        if len(self.text) > MAX_LENGTH:
            raise ExpressionError(f"the text is too long ({len(self.text)} characters; "
                                  f"at most {MAX_LENGTH})", MAX_LENGTH, 1, self.text)
        body = self._parse_tree()
        depth, node = guards.deepest_node(body, MAX_DEPTH)
        if depth > MAX_DEPTH:
            raise self.error(f"the expression is nested too deeply (more than {MAX_DEPTH} "
                             "levels)", node)
        expr = self.build(body)
        if not isinstance(expr, sp.Expr) or expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            raise self.error("the expression is undefined (a division by zero?)", body)
        problem = guards.number_problem(expr)
        if problem:
            raise self.error(problem, body)
        return ParsedExpression(self.text, expr, self.symbols)

    def _parse_tree(self) -> ast.expr:
        stripped = self.source.strip()
        try:
            if re.match(r"def\s", stripped):
                tree = ast.parse(self.source, mode="exec")
            else:
                # A newline may continue an expression, as it would inside parentheses.
                tree = ast.parse("(" + self.source.replace("\r", " ") + "\n)", mode="eval")
        except SyntaxError as exc:
            raise self._syntax_error(exc) from None
        except (ValueError, RecursionError, MemoryError, OverflowError):
            raise ExpressionError("the expression is too deeply nested", 0, 1, self.text) from None
        if isinstance(tree, ast.Module):
            return self._function_body(tree)
        return _unshift(tree.body)

    def _syntax_error(self, exc: SyntaxError) -> ExpressionError:
        m = _IMPLICIT_PRODUCT.search(self.source)
        if m:
            start = self.where[m.start()]
            number, nxt = m.group(1), m.group(2)
            rest = self.source[m.end(2) - 1:]
            name = nxt if nxt == "(" else re.match(r"\w+", rest).group(0)
            return ExpressionError(f"a number must be multiplied explicitly: did you mean "
                                   f"{number}*{name}?", start, len(number) + 1, self.text)
        if self.source.strip().startswith("def"):
            offset = self._offset(exc.lineno, (exc.offset or 1) - 1)
        else:  # the source was wrapped in "(" ... ")": undo the shift of the first line
            line, col = exc.lineno or 1, (exc.offset or 1) - 1
            if line == 1:
                col -= 1
            offset = self._offset(line, col)
            if (exc.lineno or 1) > len(self.lines):
                offset = len(self.text)
        msg = exc.msg or "invalid syntax"
        first = re.match(r"\s*(\w*)", self.source).group(1)
        if first in ("import", "from"):
            msg, offset = "imports are not allowed", 0
        elif "Maybe you meant '=='" in msg or "assign" in msg:
            msg = "assignments are not allowed: type only the expression"
        elif "never closed" in msg or "unexpected EOF" in msg or offset >= len(self.text):
            msg = "the expression is incomplete (an unclosed parenthesis or a missing operand?)"
            offset = len(self.text.rstrip()) - 1
        return ExpressionError(f"syntax error: {msg}", min(offset, max(0, len(self.text) - 1)),
                               1, self.text)

    def _function_body(self, module: ast.Module) -> ast.expr:
        if len(module.body) != 1 or not isinstance(module.body[0], ast.FunctionDef):
            raise self.error("only a single 'def f(x): return <expression>' is allowed",
                             module.body[0] if module.body else None)
        fn = module.body[0]
        a = fn.args
        if fn.decorator_list or a.posonlyargs or a.kwonlyargs or a.vararg or a.kwarg \
                or a.defaults or fn.returns or any(arg.annotation for arg in a.args):
            raise self.error("the def may only name its arguments, with no defaults, "
                             "annotations or decorators", fn)
        argnames = [arg.arg for arg in a.args]
        if argnames == [self.vector_name]:
            pass  # def f(x): x[0], x[1] and the usual names
        elif len(argnames) == len(self.spec.names):  # def f(x, y) or, in 1D, def f(w)
            self.names = {n: i for i, n in enumerate(argnames)}
            self.vector_allowed = False
        else:
            raise self.error(f"the def must take {self.describe_args()}", fn)
        body = [s for s in fn.body if not _is_docstring(s)]
        if len(body) != 1 or not isinstance(body[0], ast.Return) or body[0].value is None:
            raise self.error("the def's body must be a single 'return <expression>'",
                             body[0] if body else fn)
        return body[0].value

    def describe_args(self) -> str:
        if self.vector_name:
            return f"one argument ({self.vector_name}) or {len(self.spec.names)} arguments"
        return "one argument"

    # --- building --------------------------------------------------------------------
    def build(self, node: ast.AST) -> sp.Expr:
        result = self._build(node)
        if isinstance(result, sp.Expr):
            # Every constant, not only plain numbers: sin(exp(10**300)) would make sympy
            # work with a 10**300-digit argument, so exp(10**300) is refused first.
            problem = guards.constant_problem(result) if result.is_number else \
                guards.coefficient_problem(result) or self.cost.problem(result)
            if problem:
                raise self.error(problem, node)
        return result

    def _build(self, node: ast.AST) -> sp.Expr:
        if isinstance(node, ast.Constant):
            return self._constant(node)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return -self.build(node.operand)
            if isinstance(node.op, ast.UAdd):
                return self.build(node.operand)
            raise self.error("only + and - may stand before a value", node)
        if isinstance(node, ast.BinOp):
            return self._binop(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.Attribute):
            return self._attribute(node)
        if isinstance(node, ast.Subscript):
            return self._subscript(node)
        message = _FORBIDDEN.get(type(node), f"{type(node).__name__} is not allowed here")
        raise self.error(message, node)

    def _guard(self, op, node, *args):
        try:
            result = op(*args)
        except (TypeError, ValueError, ZeroDivisionError, OverflowError, ArithmeticError,
                RecursionError, MemoryError, AttributeError, NotImplementedError):
            raise self.error("this part cannot be computed", node) from None
        if isinstance(result, sp.Basic) and result.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            raise self.error("this part is undefined (a division by zero or a log of zero?)", node)
        if isinstance(result, sp.Basic) and result.has(sp.I):
            raise self.error(COMPLEX_MESSAGE, node)
        return result

    def _binop(self, node: ast.BinOp) -> sp.Expr:
        # A chain a + b - c + ... (or a * b / c ...) is folded in a loop, not by recursion:
        # a flat sum of a thousand terms is not deep.
        first, steps = guards.left_chain(node)
        acc = self.build(first)
        for step in steps:
            op = _BINOPS.get(type(step.op))
            if op is None:
                raise self.error(f"the operator {_OP_SYMBOLS.get(type(step.op), '?')} is not "
                                 "supported: use + - * / and ** (or ^)", step)
            right = self.build(step.right)
            if isinstance(step.op, ast.Pow):
                problem = guards.power_problem(acc, right)
                if problem:
                    raise self.error(problem, step)
            acc = self._guard(op, step, acc, right)
            if step is not node:  # node itself is checked by build()
                problem = guards.coefficient_problem(acc) if not acc.is_number else \
                    guards.constant_problem(acc)
                problem = problem or self.cost.problem(acc)
                if problem:
                    raise self.error(problem, step)
        return acc

    def _constant(self, node: ast.Constant) -> sp.Expr:
        v = node.value
        if isinstance(v, bool) or v is None or v is Ellipsis:
            raise self.error(f"{v!r} is not a number", node)
        if isinstance(v, (str, bytes)):
            raise self.error("strings are not allowed", node)
        if isinstance(v, complex):
            raise self.error("complex numbers are not supported", node)
        if isinstance(v, int):
            result = guards.integer_literal(v)
        elif isinstance(v, float):
            # Keep the digits as typed, so 0.1 stays 1/10 and derivatives are exact.
            src = ast.get_source_segment(self.source, node) if hasattr(node, "lineno") else None
            result = guards.decimal_literal(v, src)
        else:
            raise self.error("unsupported constant", node)
        if isinstance(result, str):
            raise self.error(result, node)
        return result

    def _name(self, node: ast.Name) -> sp.Expr:
        if node.id in self.names:
            return self.symbols[self.names[node.id]]
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        if node.id in FUNCTIONS:
            raise self.error(f"'{node.id}' is a function: write {node.id}(...)", node)
        if node.id in _PREFIXES:
            raise self.error(f"'{node.id}' must be followed by a function name, "
                             f"as in {node.id}.sin(x)", node)
        raise self.error(f"unknown name '{node.id}': the variables are "
                         f"{self._variables_text()}", node)

    def _variables_text(self) -> str:
        if self.names == dict(self.spec.aliases):
            return self.spec.describe()
        names = list(self.names)
        return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]

    def _dotted(self, node: ast.Attribute) -> str:
        if not (isinstance(node.value, ast.Name) and node.value.id in _PREFIXES):
            raise self.error("only np., numpy. and math. may prefix a name", node)
        return node.attr

    def _attribute(self, node: ast.Attribute) -> sp.Expr:
        name = self._dotted(node)
        if name in CONSTANTS:
            return CONSTANTS[name]
        if name in FUNCTIONS:
            raise self.error(f"'{name}' is a function: write {name}(...)", node)
        raise self.error(f"unknown name '{name}'", node)

    def _subscript(self, node: ast.Subscript) -> sp.Expr:
        index = node.slice
        ok = (self.vector_allowed and isinstance(node.value, ast.Name)
              and node.value.id == self.vector_name
              and isinstance(index, ast.Constant) and type(index.value) is int
              and 0 <= index.value < len(self.symbols))
        if not ok:
            allowed = " or ".join(f"{self.vector_name}[{i}]" for i in range(len(self.symbols)))
            raise self.error(f"only {allowed} may be indexed" if self.vector_name
                             else "indexing is not allowed", node)
        return self.symbols[index.value]

    def _call(self, node: ast.Call) -> sp.Expr:
        func = node.func
        if isinstance(func, ast.Name):
            name = func.id
        elif isinstance(func, ast.Attribute):
            name = self._dotted(func)
        elif isinstance(func, ast.Constant) and isinstance(func.value, (int, float)):
            raise self.error("a number must be multiplied explicitly: did you mean "
                             f"{ast.get_source_segment(self.source, func)}*(...)?", node)
        else:
            raise self.error("only the listed functions can be called", node)
        if name not in FUNCTIONS:
            known = ", ".join(sorted(FUNCTIONS))
            raise self.error(f"unknown function '{name}': the functions are {known}", func)
        if node.keywords:
            raise self.error("keyword arguments are not allowed", node.keywords[0].value)
        fn, arities = FUNCTIONS[name]
        if len(node.args) not in arities:
            want = " or ".join(str(a) for a in arities)
            raise self.error(f"{name} takes {want} argument{'s' if arities != (1,) else ''}, "
                             f"not {len(node.args)}", node)
        args = [self.build(a) for a in node.args]
        problem = guards.exponential_problem(name, args[0])
        if problem:
            raise self.error(problem, node)
        return self._guard(fn, node, *args)


def _unshift(node: ast.AST) -> ast.AST:
    stack = [node]
    while stack:  # iterative: a recursive visitor could overflow on a deep tree
        n = stack.pop()
        for attr, line_attr in (("col_offset", "lineno"), ("end_col_offset", "end_lineno")):
            if getattr(n, line_attr, None) == 1 and getattr(n, attr, None) is not None:
                setattr(n, attr, max(0, getattr(n, attr) - 1))
        stack.extend(ast.iter_child_nodes(n))
    return node


def _is_docstring(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) \
        and isinstance(stmt.value.value, str)


def parse_expression(text: str, spec: VariableSpec = PLANE) -> ParsedExpression:
    """Parse a typed function into a sympy expression.

    Parameters
    ----------
    text : str
        What the user typed: an expression, or ``def f(x): return <expression>``.
    spec : VariableSpec
        The variable names allowed (``PLANE``: x and y; ``LINE``: w).

    Raises
    ------
    ExpressionError
        For any unacceptable text, with the message and the offset to underline.
    """
    if not isinstance(text, str):
        raise ExpressionError("the function must be text")
    return _Builder(text, spec).parse()
