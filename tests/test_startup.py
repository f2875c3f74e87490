"""Start-up in a subprocess (a second QApplication inside pytest-qt would abort), with
QApplication.exec patched to return at once, as MNELAB's tests/test_main.py does."""

import os
import subprocess
import sys

import pytest

CODE = """
import sys
from PySide6.QtWidgets import QApplication

def fake_exec(self=None):
    app = QApplication.instance()
    app.processEvents()
    shown = [w for w in app.topLevelWidgets() if w.isVisible() and w.windowTitle()]
    print("TITLES", [w.windowTitle() for w in shown])
    print("APP", app.organizationName(), "|", app.applicationName())
    return 0

QApplication.exec = fake_exec
{launch}
"""


@pytest.mark.parametrize("launch", [
    "from hessianlens.cli import main\nsys.exit(main([]))",
    "import runpy\nsys.argv = ['hessianlens']\nrunpy.run_module('hessianlens', run_name='__main__')",
])
def test_no_arguments_open_the_window(tmp_path, launch):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path))  # the user's settings stay untouched
    out = subprocess.run([sys.executable, "-c", CODE.format(launch=launch)], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "TITLES ['Hessian Lens']" in out.stdout
    assert "APP HessianLens | Hessian Lens" in out.stdout
    assert "Traceback" not in out.stderr


SHOWN_FIRST = """
import sys, time
from PySide6.QtWidgets import QApplication

def fake_exec(self=None):
    app = QApplication.instance()
    window = next(w for w in app.topLevelWidgets() if w.windowTitle())
    # The event loop has not turned yet: the window is shown, its function still building.
    print("SHOWN", window.isVisible(), "FUNCTION", window.session.objective is not None)
    print("SYMPY AT SHOW", "sympy" in sys.modules)
    end = time.monotonic() + 60
    while window.plot_view.bundle is None and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.005)
    print("PLANE", window.session.function_text, window.plot_view.bundle is not None)
    # Every dock, tab and overlay shown by default has been built and painted by now.
    print("SYMPY AFTER PLANE", "sympy" in sys.modules)
    return 0

QApplication.exec = fake_exec
from hessianlens.cli import main
sys.exit(main([]))
"""


def test_the_window_is_shown_before_its_first_function_is_built(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", SHOWN_FIRST], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "SHOWN True FUNCTION False" in out.stdout
    assert "PLANE sin(x0)**2 + sin(10 + x1*x0/2) * cos(x0) True" in out.stdout
    # sympy (about 0.5 s to import) is only ever imported by the build workers.
    assert "SYMPY AT SHOW False" in out.stdout and "SYMPY AFTER PLANE False" in out.stdout
    assert "Traceback" not in out.stderr
