"""The shape of the package: no import cycle, short modules, registries read, not repeated."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import hessianlens
from hessianlens.engine.rules import RULES
from hessianlens.overlay_specs import OVERLAYS

PACKAGE = Path(hessianlens.__file__).parent
MAX_LINES = 400


def modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        name = ".".join(("hessianlens", *parts))
        out[name.removesuffix(".__init__")] = path
    return out


def imports(path: Path, known) -> set[str]:
    """The package's modules a module imports, at the top or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # "from hessianlens.ui import settings" imports the module hessianlens.ui.settings
            names = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known
                     else node.module for a in node.names]
        else:
            continue
        found |= {n for n in names if n in known}
    return found


def test_no_import_cycle_inside_the_package():
    known = modules()
    graph = {name: imports(path, known) - {name} for name, path in known.items()}
    cycles, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    # A package's __init__ importing its own modules is how a package is built, not a cycle.
    cycles = [c for c in cycles if not any(a.startswith(b + ".") or b.startswith(a + ".")
                                           for a, b in zip(c, c[1:]))]
    assert cycles == []


def test_the_graph_sees_lazy_imports():
    # bench imports the window's benchmarks inside a function: the walk must count that.
    known = modules()
    assert "hessianlens.ui.bench_window" in imports(known["hessianlens.bench"], known)


def test_no_module_is_over_400_lines():
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}


@pytest.mark.parametrize("module", ["ui/plot_view.py", "ui/field_worker.py",
                                    "ui/main_window.py", "export_cli.py"])
def test_the_plane_the_window_and_the_command_line_name_no_overlay(module):
    source = (PACKAGE / module).read_text()
    named = [n for n in OVERLAYS if f'"{n}"' in source or f"'{n}'" in source]
    assert named == []


@pytest.mark.parametrize("module", ["ui/methods_panel.py", "ui/session.py", "model.py",
                                    "session_file.py", "cli.py", "export_cli.py",
                                    "ui/trajectories.py"])
def test_no_table_of_methods_outside_the_registry(module):
    source = (PACKAGE / module).read_text()
    named = [n for n in RULES if n not in ("gd", "newton") and f'"{n}"' in source]
    assert named == []


def test_version_and_help_import_no_sympy():
    for flag in ("--version", "--help"):
        done = subprocess.run([sys.executable, "-X", "importtime", "-m", "hessianlens", flag],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0
        assert "sympy" not in done.stderr and "PySide6" not in done.stderr, flag
