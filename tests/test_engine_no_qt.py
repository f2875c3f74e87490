import subprocess
import sys


def test_engine_imports_no_qt():
    code = ("import sys\n"
            "import hessianlens.engine.fields, hessianlens.engine.trajectory, "
            "hessianlens.engine.serialize, hessianlens.engine.expression\n"
            "import pkgutil, importlib, hessianlens.engine as e\n"
            "for m in pkgutil.walk_packages(e.__path__, 'hessianlens.engine.'):\n"
            "    importlib.import_module(m.name)\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in "
            "('PySide6', 'shiboken6', 'pyqtgraph', 'PyQt5', 'PyQt6')]\n"
            "print(bad)\n"
            "raise SystemExit(1 if bad else 0)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
