"""The window's first layout on common screens: the plane gets most of the width (pytest-qt)."""

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import (QAbstractButton, QAbstractSpinBox, QComboBox, QGraphicsView,
                               QLabel, QWidget)

from uihelpers import temp_settings


def first_window(qtbot, tmp_path, width, height, overlays=()):
    """A window on fresh settings, sized as on a width x height screen before it shows."""
    from hessianlens.ui.main_window import MainWindow

    window = MainWindow(settings=temp_settings(tmp_path))
    qtbot.addWidget(window)
    for name in overlays:
        window.session.set_overlay(name, True)
    window.resize(width, height)
    with qtbot.waitSignal(window.plot_view.fields_shown, timeout=20_000):
        window.show()
    qtbot.waitExposed(window)
    qtbot.wait(100)  # docks and the legend settle
    return window


@pytest.mark.parametrize("size", [(1366, 768), (1600, 1000)])
def test_the_plane_gets_at_least_half_the_width(qtbot, tmp_path, size):
    window = first_window(qtbot, tmp_path, *size, overlays=("determinant",))
    view = window.plot_view
    assert window.width() == size[0]
    assert view.width() >= 0.5 * window.width()
    # the data area itself, beside its axis and one colour bar
    assert view.vb.width() >= 0.4 * window.width()
    # every dock that starts visible is on screen, none squeezed to nothing
    for name, dock in window.docks.items():
        if dock.isVisible() and not dock.visibleRegion().isEmpty():
            assert dock.width() >= 200, name


def test_a_small_screen_tabs_the_right_hand_docks(qtbot, tmp_path):
    window = first_window(qtbot, tmp_path, 1366, 768)
    right = [window.docks[k] for k in ("convergence", "rates", "sweep")]
    assert set(window.tabifiedDockWidgets(window.docks["inspector"])) == set(right)
    assert window.docks["rates"].visibleRegion().isEmpty()  # behind the inspector
    assert window.docks["methods"] in window.tabifiedDockWidgets(window.docks["basins"])
    assert not window.tabifiedDockWidgets(window.docks["function"])


def test_a_tall_screen_shows_inspector_and_convergence_together(qtbot, tmp_path):
    window = first_window(qtbot, tmp_path, 1600, 1000)
    inspector, convergence = window.docks["inspector"], window.docks["convergence"]
    assert not window.tabifiedDockWidgets(inspector)
    assert inspector.isVisible() and convergence.isVisible()
    assert inspector.geometry().bottom() <= convergence.geometry().top()
    # the lens's docks in tabs behind the convergence plot
    assert set(window.tabifiedDockWidgets(convergence)) == {window.docks["rates"],
                                                            window.docks["sweep"]}


CONTROLS = (QAbstractButton, QAbstractSpinBox, QComboBox, QLabel, QGraphicsView)


def outside(dock) -> list[str]:
    """The dock's shown controls that reach beyond the dock's visible area (cut off)."""
    area = dock.widget().rect()
    top_left = dock.widget().mapTo(dock, QPoint(0, 0))
    area.translate(top_left)
    cut = []
    for w in dock.widget().findChildren(QWidget):
        if isinstance(w, CONTROLS) and w.isVisibleTo(dock) and w.width() > 0:
            rect = QRect(w.mapTo(dock, QPoint(0, 0)), w.size())
            if not area.contains(rect):
                cut.append(f"{type(w).__name__} {w.text() if hasattr(w, 'text') else ''}"
                           f" {rect} not in {area}")
    return cut


@pytest.mark.parametrize("size", [(1366, 768), (1366, 740), (1600, 1000)])
@pytest.mark.parametrize("name", ["rates", "sweep"])
def test_every_control_of_the_rates_and_sweep_docks_is_inside_the_dock(qtbot, tmp_path, size,
                                                                       name):
    window = first_window(qtbot, tmp_path, *size)
    dock = window.docks[name]
    dock.raise_()
    qtbot.waitUntil(lambda: not dock.visibleRegion().isEmpty())
    qtbot.wait(100)  # its layout settles
    assert not outside(dock)


def test_on_a_small_screen_the_dock_tabs_show_their_whole_titles(qtbot, tmp_path):
    """Four tabs in the right-hand column at 1366 px read 'Inspe...', 'R...' with the style's
    padding; each tab now gets the width its title asks for."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QTabBar

    window = first_window(qtbot, tmp_path, 1366, 768)
    direct = Qt.FindChildOption.FindDirectChildrenOnly
    bars = [b for b in window.findChildren(QTabBar, options=direct)
            if b.isVisible() and b.count() > 1]
    titles = sorted(b.tabText(i) for b in bars for i in range(b.count()))
    assert titles == ["Basins", "Convergence", "Inspector", "Methods", "Rates", "Sweep"]
    for bar in bars:
        for i in range(bar.count()):
            assert bar.tabRect(i).width() >= bar.tabSizeHint(i).width(), bar.tabText(i)
