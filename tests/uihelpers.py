"""Shared helpers of the window tests: a window on temporary settings, mouse on the plane."""

from PySide6.QtCore import QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication


def temp_settings(tmp_path) -> QSettings:
    """Settings in a temporary ini file: the user's own settings stay untouched."""
    return QSettings(str(tmp_path / "hessianlens.ini"), QSettings.Format.IniFormat)


def open_window(qtbot, tmp_path, settings=None):
    from hessianlens.ui.main_window import MainWindow

    window = MainWindow(settings=settings or temp_settings(tmp_path))
    window.files.confirm_unsaved = False  # closing a test's window never waits for an answer
    qtbot.addWidget(window)
    window.resize(1366, 768)  # a common small screen (the offscreen one is 800 x 800)
    with qtbot.waitSignal(window.plot_view.fields_shown, timeout=20_000):
        window.show()
    qtbot.waitExposed(window)
    settle(qtbot, window)
    return window


def wait_for_function(qtbot, session, text: str | None = None, timeout: int = 20_000) -> None:
    """Until the window's session has built its function (text, if given) and applied it:
    the window builds functions off the GUI thread."""
    qtbot.waitUntil(lambda: not session.pending_function() and session.objective is not None
                    and (text is None or session.function_text == text), timeout=timeout)


def settle(qtbot, window):
    """Wait for the layout (the docks' first sizes, the key's columns, a colour bar that came
    or went) and then for the view the equal aspect widened to reach the session."""
    qtbot.wait(100)
    qtbot.waitUntil(window.plot_view.idle, timeout=20_000)


def data_to_viewport(view, x: float, y: float) -> QPoint:
    """Viewport pixel of the data point (x, y) on the plane."""
    scene = view.vb.mapViewToScene(QPointF(x, y))
    return view.graphics.mapFromScene(scene)


def viewport_to_data(view, p: QPoint) -> tuple[float, float]:
    q = view.vb.mapSceneToView(view.graphics.mapToScene(p))
    return q.x(), q.y()


def mouse(view, kind, p: QPoint, buttons=Qt.MouseButton.LeftButton) -> None:
    """Send one mouse event to the plot's viewport (QTest does not hold buttons while moving)."""
    viewport = view.graphics.viewport()
    button = Qt.MouseButton.NoButton if kind == QMouseEvent.Type.MouseMove else Qt.MouseButton.LeftButton
    held = Qt.MouseButton.NoButton if kind == QMouseEvent.Type.MouseButtonRelease else buttons
    ev = QMouseEvent(kind, QPointF(p), QPointF(viewport.mapToGlobal(p)), button, held,
                     Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(viewport, ev)


def drag(view, points) -> None:
    """Press at the first point, move through the others, release at the last, with the
    moves as far apart in time as a mouse sends them: pyqtgraph's scene drops a move that
    comes sooner than 1/mouseRateLimit s after the one it last took (so back-to-back moves
    were lost whenever the one before them was handled quickly). The mouse first arrives at
    the first point without a button held, as a hand brings it there: pyqtgraph drags the item
    that accepted the last hover (a press that no hover preceded, followed by a pause, dragged
    nothing: the rates dock's marker)."""
    import pyqtgraph as pg
    from PySide6.QtTest import QTest

    rate = pg.getConfigOption("mouseRateLimit")
    pause_ms = int(1000 / rate) + 5 if rate > 0 else 0
    mouse(view, QMouseEvent.Type.MouseMove, points[0], buttons=Qt.MouseButton.NoButton)
    QTest.qWait(pause_ms)
    mouse(view, QMouseEvent.Type.MouseButtonPress, points[0])
    for p in points[1:]:
        QTest.qWait(pause_ms)
        mouse(view, QMouseEvent.Type.MouseMove, p)
    mouse(view, QMouseEvent.Type.MouseButtonRelease, points[-1])


def type_into(qtbot, widget, text):
    """Select what a spin box (or line edit) holds, type text and press Enter."""
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClicks(widget, text)
    qtbot.keyClick(widget, Qt.Key.Key_Return)


def plane_view(qtbot, function: str, rect, start, width: int = 320, height: int = 240,
               grid: int = 48, methods: dict | None = None, overlays=()):
    """A PlotView laid out offscreen at width x height with its fields computed (the
    export command's way); methods maps a method name to update_method changes."""
    from hessianlens.ui.export import prepare_view
    from hessianlens.ui.plot_view import PlotView
    from hessianlens.ui.session import Session

    session = Session(function, rect, start)
    for name, changes in (methods or {}).items():
        session.update_method(name, **changes)
    for name in overlays:
        session.set_overlay(name, True)
    view = PlotView(session)
    qtbot.addWidget(view)
    prepare_view(view, width, height, grid=grid)
    return view
