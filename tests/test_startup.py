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
