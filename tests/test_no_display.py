"""Without a display the window says so in words and names the command-line tools."""

import os
import subprocess
import sys

import pytest

from hessianlens.cli import no_display


def test_no_display_only_on_linux_with_a_windowing_plugin_and_no_display():
    assert no_display({}, "linux")
    assert no_display({"QT_QPA_PLATFORM": "xcb"}, "linux")
    assert no_display({"QT_QPA_PLATFORM": "wayland", "DISPLAY": ""}, "linux")
    assert not no_display({"DISPLAY": ":0"}, "linux")
    assert not no_display({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert not no_display({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert not no_display({}, "darwin") and not no_display({}, "win32")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X and Wayland are Linux's")
def test_the_window_without_a_display_exits_with_a_message_not_qts():
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run([sys.executable, "-m", "hessianlens"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert "no display found" in done.stderr and "hessianlens trace" in done.stderr
    assert "xcb" not in done.stderr  # not Qt's message about its plugin
