"""Build the one-folder application dist/hessianlens/ with PyInstaller and report its size.

    pip install ".[packaging]"
    python packaging/build.py            # -> dist/hessianlens/hessianlens

Prints one JSON line: the bundle folder, the executable, the build time and the size.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SPEC = HERE / "hessianlens.spec"


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def build(dist: Path, work: Path) -> dict:
    """Run PyInstaller on the spec; returns what was built and what it cost."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                    "--distpath", str(dist), "--workpath", str(work), str(SPEC)],
                   check=True, cwd=REPO)
    seconds = time.perf_counter() - t0
    folder = dist / "hessianlens"
    exe = folder / ("hessianlens.exe" if sys.platform == "win32" else "hessianlens")
    size = folder_size(folder)
    return {"folder": str(folder), "executable": str(exe), "build_seconds": round(seconds, 1),
            "size_bytes": size, "size_mb": round(size / 2**20, 1)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=REPO / "dist",
                        help="where the bundle folder goes (default: dist/)")
    parser.add_argument("--work", type=Path, default=REPO / "build" / "pyinstaller",
                        help="PyInstaller's scratch folder (default: build/pyinstaller/)")
    args = parser.parse_args(argv)
    print(json.dumps(build(args.dist.resolve(), args.work.resolve())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
