"""``hessianlens export``: the window's picture of a function or a saved session, headless.

Builds the same Session and PlotView as the window (offscreen Qt, nothing shown), computes
the fields at the requested grid, and writes PNG or SVG (ui/export.py) or an animated GIF
or video (ui/animation.py).
"""

from __future__ import annotations

import argparse
import os
import sys

from hessianlens.cli_args import (CliError, add_param_option, grid, out_path, params_epilog,
                                  parse_function, plane_range, point, rule_params, steps)
from hessianlens.output import write_out
from hessianlens.progress import deferred_interrupt

DEFAULT_RANGE = (-4.0, 4.0, -4.0, 4.0)  # XMIN, XMAX, YMIN, YMAX
DEFAULT_SIZE = (1600, 1100)
OUT_SUFFIXES = (".png", ".svg", ".gif", ".mp4", ".webm")
ANIMATION_SUFFIXES = (".gif", ".mp4", ".webm")
# The window's default export is twice the on-screen size: lay the plot out at this fraction
# of the requested size so text and lines keep the proportions of a window export. A small
# picture is laid out at MIN_LAYOUT_PX on its smaller side and drawn scaled down, like a
# thumbnail of a window export, rather than crowded by full-size text. A long thin picture
# (8000 x 16) is laid out at most MAX_LAYOUT_PX on its longer side: its plot is squeezed,
# but the layout does not grow to 275,000 pixels and gigabytes.
LAYOUT_SCALE = 2.0
MIN_LAYOUT_PX = 550
MAX_LAYOUT_PX = 4000


def _size(text: str) -> tuple[int, int]:
    parts = text.lower().split("x")
    try:
        w, h = (int(p) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT in pixels, got {text!r}") \
            from None
    if not (16 <= w <= 8000 and 16 <= h <= 8000):
        raise argparse.ArgumentTypeError(f"width and height must be 16 to 8000 pixels: {text!r}")
    return w, h


def add_parser(sub) -> None:
    """The ``export`` subcommand."""
    from hessianlens.overlay_specs import OVERLAYS

    p = sub.add_parser("export", help="render the window's picture (PNG, SVG, animated GIF or "
                                      "video) without opening a window", epilog=params_epilog(),
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--function", help="f(x, y), e.g. 'x**2 + 3*y**2' (or use --session)")
    p.add_argument("--start", type=point, help="start point X,Y")
    p.add_argument("--session", help="render a saved session file (.hlens.json)")
    p.add_argument("--methods", default=None,
                   help="comma-separated methods to draw (default gd,newton); the first "
                        "named is the selected one, whose quadratic model and Believed H "
                        "the overlays show")
    p.add_argument("--lr", default=None, help="learning rates, e.g. gd=0.5,newton=1")
    add_param_option(p, "newton.learning_rate=0.5, or learning_rate=0.5 for every drawn "
                        "method that has it")
    p.add_argument("--steps", type=steps, default=None, help="maximum steps of every method")
    p.add_argument("--overlays", default="",
                   help=f"comma-separated: {', '.join(s.cli_name for s in OVERLAYS.values())}")
    p.add_argument("--range", type=plane_range, default=None,
                   help="view XMIN,XMAX,YMIN,YMAX (default -4,4,-4,4): exactly the axes' "
                        "range in every picture and frame, unless --equal-aspect")
    p.add_argument("--equal-aspect", action=argparse.BooleanOptionalAction, default=None,
                   help="one unit as long on x as on y: the range widens to the picture's "
                        "shape (default: off; a --session file without --range keeps its "
                        "own setting)")
    p.add_argument("--grid", type=grid, default=None,
                   help="samples per axis of the fields (default: the window's, 512; "
                        "256 for the surface)")
    p.add_argument("--size", type=_size, default=DEFAULT_SIZE,
                   help="picture size WIDTHxHEIGHT in pixels (default 1600x1100)")
    p.add_argument("--light", action="store_true", help="light background (for print)")
    p.add_argument("--view", choices=("plane", "surface"), default="plane",
                   help="plane (default) or surface: the 3D view as a PNG (needs OpenGL: a "
                        "display, or a virtual one such as xvfb-run)")
    p.add_argument("--out", required=True, help="output file: .png, .svg, or .gif (animated: "
                                                "one frame per step; .mp4 or .webm with ffmpeg)")


def _names(text: str, known, what: str, dashes: bool = False) -> list[str]:
    """Comma-separated names of `known`; with dashes, 'a-b' names 'a_b'."""
    names = [n.strip().replace("-", "_") if dashes else n.strip()
             for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in known]
    if unknown:
        shown = [k.replace("_", "-") if dashes else k for k in known]
        raise CliError(f"unknown {what} {unknown[0]!r}; choose from {', '.join(shown)}")
    return names


def _learning_rates(text: str) -> list[tuple[str, str]]:
    """--lr gd=0.5,newton=1 as (method, 'learning_rate=0.5') pairs."""
    from hessianlens.engine.rules import RULES

    out = []
    for item in (t.strip() for t in text.split(",") if t.strip()):
        name, sep, value = item.partition("=")
        try:
            lr = float(value)
        except ValueError:
            lr = float("nan")
        if not sep or not lr > 0 or lr == float("inf"):
            raise CliError(f"--lr expects METHOD=RATE with a positive rate, got {item!r}")
        params = [p.name for p in RULES[name.strip()].params] if name.strip() in RULES else None
        if params is not None and "learning_rate" not in params:
            raise CliError(f"--lr {item}: method '{name.strip()}' has no learning rate; its "
                           f"parameters: {', '.join(params) or 'none'}")
        out.append((name.strip(), f"learning_rate={value.strip()}"))
    return out


def _params(assignments, drawn) -> list[tuple[str, str]]:
    """--param METHOD.NAME=VALUE (one method) or NAME=VALUE (every drawn method that has
    that parameter) as (method, 'NAME=VALUE') pairs."""
    from hessianlens.engine.rules import RULES

    out = []
    for text in assignments:
        target, sep, value = text.partition("=")
        method, dot, name = target.strip().rpartition(".")
        if dot:
            out.append((method, f"{name}={value}"))
            continue
        having = [m for m in drawn if any(p.name == name for p in RULES[m].params)]
        if not sep or not having:
            raise CliError(f"--param {text}: none of the drawn methods ({', '.join(drawn)}) has "
                           f"a parameter {name!r}; name one as METHOD.NAME=VALUE")
        out += [(m, f"{name}={value}") for m in having]
    return out


def build_state(args):
    """The SessionState to render: the session file's, or one built from the options."""
    from dataclasses import replace

    from hessianlens.engine.fields import Rect
    from hessianlens.engine.rules import RULES
    from hessianlens.model import MAX_STEPS, SessionState, default_methods
    from hessianlens.overlay_specs import OVERLAYS
    from hessianlens.session_file import SessionFileError, load_session

    if args.session:
        if args.function or args.start:
            raise CliError("give either --session or --function/--start, not both")
        try:
            state = load_session(args.session)
        except SessionFileError as exc:
            raise CliError(f"cannot open {args.session}: {exc}") from None
    else:
        if not args.function or args.start is None:
            raise CliError("--function and --start are required (or give --session)")
        objective = parse_function(args.function)
        state = SessionState(objective.text, args.range or Rect(*DEFAULT_RANGE), args.start,
                             default_methods())
    # The file's methods, then every other registered one (off) for --methods to switch on.
    methods = {m.name: replace(m, enabled=False) for m in default_methods()}
    methods.update((m.name, m) for m in state.methods)
    wanted: list[str] = []
    if args.methods is not None:
        wanted = _names(args.methods, RULES, "method")
        methods = {n: replace(m, enabled=n in wanted) for n, m in methods.items()}
    drawn = [n for n, m in methods.items() if m.enabled]
    changes = _learning_rates(args.lr or "") + _params(args.param, drawn)
    _names(",".join(m for m, _ in changes), RULES, "method")
    for name in dict.fromkeys(m for m, _ in changes):
        values = rule_params(name, [a for m, a in changes if m == name])
        methods[name] = methods[name].changed(**values)
    if args.steps is not None:
        methods = {n: replace(m, max_steps=args.steps) for n, m in methods.items()}
    overlays = state.overlays
    if args.overlays:
        overlays = tuple(_names(args.overlays, OVERLAYS, "overlay", dashes=True))
    # The iterate the inspector and the quadratic model show: the first named in --methods,
    # else the file's, else the first drawn.
    selected = wanted[0] if wanted else state.selected_method \
        if state.selected_method in drawn else (drawn[0] if drawn else "")
    # A typed range is the axes' range: the equal aspect, which would widen it to the
    # picture's shape, is on only when asked for (or kept from a file shown at its own view).
    equal_aspect = args.equal_aspect
    if equal_aspect is None:
        equal_aspect = state.equal_aspect if args.session and args.range is None else False
    return replace(state, view=args.range or state.view, methods=tuple(methods.values()),
                   overlays=overlays, step=state.step if args.session else MAX_STEPS,
                   selected_method=selected, equal_aspect=equal_aspect)


def _qt_message(_kind, _context, text: str) -> None:
    """Qt's own warnings to stderr, less the offscreen platform's note that it has no
    window manager (true, and of no concern to a picture)."""
    if "propagateSizeHints" not in text:
        sys.stderr.write(f"{text}\n")


def layout_size(width: int, height: int) -> tuple[int, int]:
    """The size the plot is laid out at before it is drawn at width x height."""
    small, large = min(width, height), max(width, height)
    divisor = max(small / max(small / LAYOUT_SCALE, MIN_LAYOUT_PX), large / MAX_LAYOUT_PX)
    return max(1, round(width / divisor)), max(1, round(height / divisor))


def cmd_export(args) -> int:
    out = out_path(args.out, OUT_SUFFIXES)
    suffix = out.suffix.lower()
    state = build_state(args)
    if args.view == "surface":
        from hessianlens.ui.surface.surface_cli import export_surface

        return export_surface(args, state, out)
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # no window, no display needed
    os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    qInstallMessageHandler(_qt_message)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    from hessianlens.progress import TerminalProgress
    from hessianlens.ui import animation, export
    from hessianlens.ui.field_worker import GRID
    from hessianlens.ui.plot_view import PlotView, configure_pyqtgraph
    from hessianlens.ui.session import Session

    configure_pyqtgraph()
    session = Session.from_state(state)
    width, height = args.size
    if suffix in ANIMATION_SUFFIXES:
        try:  # refused before any work: too many frames x pixels, or no ffmpeg for a video
            animation.check_work(session.last_step + 1, width, height)
        except animation.AnimationTooLarge as exc:
            raise CliError(f"{exc} (--steps, --size)") from None
        if suffix != ".gif" and animation.ffmpeg_path() is None:
            raise CliError(f"writing {suffix} needs ffmpeg on PATH and none was found; "
                           "write a .gif instead")
    view = PlotView(session)
    bar = TerminalProgress(f"writing {out.name}", "frames")
    with deferred_interrupt() as interrupted:

        def progress(done: int, total: int) -> bool:
            interrupted()  # Ctrl+C takes effect here, between frames
            return bar(done, total)

        try:
            export.prepare_view(view, *layout_size(width, height), args.grid or GRID)
            interrupted()
            if view.bundle is None:
                raise CliError("could not compute the fields of the function")
            if suffix in ANIMATION_SUFFIXES:
                animation.save_animation(view, out, width, height, args.light, progress)
            else:
                export.save_image(view, out, width, height, args.light)
        except (OSError, animation.AnimationTooLarge) as exc:
            raise CliError(f"cannot write {args.out}: {getattr(exc, 'strerror', None) or exc}") \
                from None
        finally:
            bar.close()
            view.worker.wait()
            view.close()
            view.deleteLater()
            app.processEvents()
    write_out(f"{out}\n")
    return 0
