"""Packaging: icons, desktop entry, AppStream metadata, the wheel, and the PyInstaller bundle.

The bundle tests build the real application (about two minutes) and run in CI by default;
deselect them locally with ``pytest -m "not bundle"``.
"""

from __future__ import annotations

import configparser
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGING = REPO / "packaging"
APP_ID = "io.github.hessianlens.HessianLens"
DESKTOP_FILE = PACKAGING / f"{APP_ID}.desktop"
METAINFO_FILE = PACKAGING / f"{APP_ID}.metainfo.xml"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DATA_FILES = ("wdbc.csv.gz", "README.md")  # the logistic regression's data and its licence


def _load_render_icons():
    spec = importlib.util.spec_from_file_location("render_icons", PACKAGING / "render_icons.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


render_icons = _load_render_icons()


def project_version() -> str:
    with open(REPO / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)["project"]["version"]


def icon_names() -> list[str]:
    return ["hessianlens.svg"] + [render_icons.png_path(s).name for s in render_icons.SIZES]


def run(args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)


# --- icons, desktop entry, AppStream ------------------------------------------------------------

def test_png_icons_are_the_svg_rendered_at_every_size(qapp, tmp_path):
    from PIL import Image, ImageChops

    fresh = render_icons.render(out_dir=tmp_path)  # qapp first: a QApplication, not a QGuiApplication
    for size, new in zip(render_icons.SIZES, fresh):
        stored = render_icons.png_path(size)
        with Image.open(stored) as a, Image.open(new) as b:
            assert a.size == (size, size)
            assert a.mode == "RGBA"
            assert a.getpixel((0, 0))[3] == 0, "the corners outside the rounded square are clear"
            # Re-run packaging/render_icons.py after editing the SVG.
            diff = ImageChops.difference(a.convert("RGBA"), b.convert("RGBA")).getbbox()
            assert diff is None, f"{stored.name} is older than hessianlens.svg"


def test_desktop_entry_names_the_command_and_the_icon():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # keys are case-sensitive
    entry.read(DESKTOP_FILE, encoding="utf-8")
    group = entry["Desktop Entry"]
    assert group["Type"] == "Application"
    assert group["Name"] == "Hessian Lens"
    assert group["Exec"] == "hessianlens"  # install.sh writes the absolute path
    assert group["Icon"] == APP_ID
    assert group["Terminal"] == "false"
    if shutil.which("desktop-file-validate"):
        result = run(["desktop-file-validate", str(DESKTOP_FILE)])
        assert result.returncode == 0, result.stdout + result.stderr


def test_appstream_metadata_matches_the_desktop_entry_and_the_version():
    root = ET.parse(METAINFO_FILE).getroot()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.find("launchable").text == DESKTOP_FILE.name
    assert root.findtext("summary") and root.find("description") is not None
    latest = root.find("releases/release")
    assert latest.get("version") == project_version(), "add a <release> for the new version"
    image = root.findtext("screenshots/screenshot/image")
    assert image.endswith("docs/screenshot.png")
    if shutil.which("appstreamcli"):
        result = run(["appstreamcli", "validate", "--no-net", str(METAINFO_FILE)])
        assert result.returncode == 0, result.stdout + result.stderr


# --- the wheel ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    result = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out),
                  str(REPO)])
    assert result.returncode == 0, result.stderr
    (path,) = out.glob("hessianlens-*.whl")
    return path


def test_wheel_holds_the_presets_and_the_icons(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "hessianlens/resources/__init__.py" in names
    assert "hessianlens/resources/presets.json" in names
    for name in icon_names():
        assert f"hessianlens/resources/icons/{name}" in names
    for name in DATA_FILES:
        assert f"hessianlens/resources/data/{name}" in names
    assert "hessianlens/engine/ndim/problems.py" in names
    assert "hessianlens/ui/dimensions/view.py" in names
    assert f"hessianlens-{project_version()}.dist-info/METADATA" in names


def test_resources_load_from_the_installed_wheel_not_the_source_tree(wheel, tmp_path):
    site = tmp_path / "site"
    result = run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target",
                  str(site), str(wheel)])
    assert result.returncode == 0, result.stderr
    code = (
        "import json, importlib.metadata, hessianlens.resources as r\n"
        "print(json.dumps({'module': r.__file__,\n"
        "  'presets': str(r.resource_path('presets.json')),\n"
        "  'n_presets': len(r.read_json('presets.json')),\n"
        "  'icons': [str(r.resource_path('icons/' + n)) for n in %r],\n"
        "  'png': r.resource_path('icons/hessianlens-16.png').read_bytes()[:8].hex(),\n"
        "  'version': importlib.metadata.version('hessianlens')}))\n" % icon_names()
    )
    # -S: no site-packages, so neither the editable install nor the source tree is reachable;
    # the resources need only the standard library.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = str(site)
    result = run([sys.executable, "-S", "-c", code], env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    for path in [found["module"], found["presets"], *found["icons"]]:
        assert Path(path).is_relative_to(site), path
        assert Path(path).is_file()
    assert found["n_presets"] > 0
    assert bytes.fromhex(found["png"]) == PNG_SIGNATURE
    assert found["version"] == project_version()


# --- the PyInstaller bundle ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> dict:
    """Build the one-folder application with packaging/build.py; its JSON summary."""
    if sys.platform.startswith("linux") and not shutil.which("objdump"):
        pytest.fail("PyInstaller needs objdump: install binutils (apt-get install binutils)")
    work = tmp_path_factory.mktemp("pyinstaller")
    result = run([sys.executable, str(PACKAGING / "build.py"), "--dist", str(work / "dist"),
                  "--work", str(work / "build")])
    assert result.returncode == 0, result.stderr[-4000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"\nbundle: {summary['size_mb']} MB, built in {summary['build_seconds']} s")
    return summary


def bundle_run(bundle, *args, **kwargs) -> subprocess.CompletedProcess:
    return run([bundle["executable"], *args], **kwargs)


@pytest.mark.bundle
def test_bundle_holds_the_resources_and_leaves_unused_qt_out(bundle):
    internal = Path(bundle["folder"]) / "_internal"
    resources = internal / "hessianlens" / "resources"
    assert (resources / "presets.json").is_file()
    for name in icon_names():
        assert (resources / "icons" / name).is_file()
    for name in DATA_FILES:
        assert (resources / "data" / name).is_file()
    files = [p.name for p in internal.rglob("*")]
    for unused in ("QtQml", "QtQuick", "QtNetwork", "QtWebEngine", "Qt3D", "QtMultimedia"):
        assert not [f for f in files if unused in f], f"{unused} is in the bundle"
    assert not list(internal.rglob("*.qm")), "Qt translations are in the bundle"


@pytest.mark.bundle
def test_bundle_reports_the_version_from_pyproject(bundle):
    result = bundle_run(bundle, "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"hessianlens {project_version()}"


@pytest.mark.bundle
def test_bundle_traces_newton_to_the_minimum_in_one_step(bundle):
    result = bundle_run(bundle, "trace", "--function", "x0**2 + x1**2", "--start=-3,-3",
                        "--method", "newton")
    assert result.returncode == 0, result.stderr
    trace = json.loads(result.stdout)
    assert trace["status"] == "converged"
    assert trace["steps"][0]["step"] == [3.0, 3.0]
    assert trace["steps"][-1]["x"] == [0.0, 0.0]

    bad = bundle_run(bundle, "trace", "--function", "x**", "--start", "1,1", "--method", "gd")
    assert bad.returncode == 2
    assert "error in the function" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.bundle
def test_bundle_builds_through_the_fork_server(bundle):
    # The window builds in pool workers forked by multiprocessing's fork server, which starts
    # a copy of the bundled executable (launcher.py's freeze_support() makes it the server).
    env = dict(os.environ, HESSIANLENS_BUILD_METHOD="pool")
    result = bundle_run(bundle, "trace", "--function", "abs(log(x)) + y**2", "--start", "2,1",
                        "--method", "newton", "--steps", "2", env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["steps"][0]["grad"] == pytest.approx([0.5, 2.0])
    slow = bundle_run(bundle, "trace", "--function", "**".join(["x", "y"] * 30), "--start",
                      "1,1", "--method", "gd", env=env)
    assert slow.returncode == 2 and "too expensive" in slow.stderr, slow.stderr


@pytest.mark.bundle
def test_bundle_runs_numdifftools(bundle):
    # numdifftools needs the parts of scipy the spec keeps (linalg, ndimage, special).
    result = bundle_run(bundle, "bench", "--only", "engine")
    assert result.returncode == 0, result.stderr
    assert "numdifftools_per_point_ms" in json.loads(result.stdout)["engine"]


@pytest.mark.bundle
def test_bundle_measures_the_logistic_regression_on_the_bundled_data(bundle):
    # the data file, scipy.linalg (Cholesky, BLAS) and threadpoolctl are in the bundle
    result = bundle_run(bundle, "scaling", "--problem", "logistic", "--methods", "newton,bfgs",
                        "--format", "json")
    assert result.returncode == 0, result.stderr
    runs = json.loads(result.stdout)["runs"]
    assert [(r["n"], r["method"], r["status"]) for r in runs] == [
        (31, "newton", "converged"), (31, "bfgs", "converged")]


@pytest.mark.bundle
def test_bundle_exports_the_3d_view_with_opengl(bundle, tmp_path):
    from PIL import Image
    from xvfb import Xvfb

    server = Xvfb()
    if server.display is None:
        pytest.skip(server.why_not)
    try:
        env = server.env()
        env.pop("QT_QPA_PLATFORM")  # the command picks the display
        out = tmp_path / "surface.png"
        result = bundle_run(bundle, "export", "--view", "surface", "--function", "x**2 - y**2",
                            "--start", "1,0.5", "--grid", "64", "--size", "320x240", "--out",
                            str(out), env=env)
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr[-4000:]
    with Image.open(out) as im:
        assert im.size == (320, 240)


@pytest.mark.bundle
def test_bundle_opens_the_window_offscreen(bundle, tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path / "config"))  # settings go to a throwaway folder
    proc = subprocess.Popen([bundle["executable"]], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 8  # start-up plus some seconds of event loop
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        alive = proc.poll() is None
    finally:
        proc.kill()
        out, err = proc.communicate(timeout=30)
    assert alive, f"the window exited with {proc.returncode}:\n{err[-4000:]}"
    assert "Traceback" not in out + err, err[-4000:]


@pytest.mark.bundle
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="install.sh is for Linux")
def test_install_script_installs_and_removes_the_bundle(bundle, tmp_path):
    prefix = tmp_path / "prefix"
    env = dict(os.environ, PREFIX=str(prefix))
    script = str(PACKAGING / "install.sh")
    result = run([script, "--bundle", bundle["folder"]], env=env)
    assert result.returncode == 0, result.stderr
    command = prefix / "bin" / "hessianlens"
    entry = prefix / "share" / "applications" / DESKTOP_FILE.name
    assert f"Exec={command}\n" in entry.read_text(encoding="utf-8")
    assert (prefix / "share" / "metainfo" / METAINFO_FILE.name).is_file()
    assert (prefix / "share/icons/hicolor/scalable/apps" / f"{APP_ID}.svg").is_file()
    for size in render_icons.SIZES:
        assert (prefix / f"share/icons/hicolor/{size}x{size}/apps/{APP_ID}.png").is_file()
    version = run([str(command), "--version"])  # through the symlink in bin/
    assert version.stdout.strip() == f"hessianlens {project_version()}", version.stderr

    result = run([script, "--uninstall"], env=env)
    assert result.returncode == 0, result.stderr
    assert not command.exists() and not entry.exists()
    assert not (prefix / "lib" / "hessianlens").exists()
