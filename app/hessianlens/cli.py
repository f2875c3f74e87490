"""Command line: no arguments opens the window; subcommands trace, basins, onestep, export,
scaling, rates, sweep, bench."""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys

from hessianlens import __version__
from hessianlens.cli_args import (EXIT_USAGE, CliError, add_param_option, finite_float, grid,
                                  out_path, params_epilog, parse_function, plane_range, point,
                                  positive_float, rule_params, steps)
from hessianlens.output import StdoutError, discard_stdout, write_out

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a command stopped by Ctrl+C
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE


def build_parser() -> argparse.ArgumentParser:
    from hessianlens.engine.rules import RULES

    parser = argparse.ArgumentParser(
        prog="hessianlens",
        description="See why the Hessian gives the optimal learning rate, and when it betrays "
                    "you. With no command, opens the window.")
    parser.add_argument("--version", action="version", version=f"hessianlens {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    trace = sub.add_parser("trace", help="run a method (gradient descent, Newton or a relative) "
                                         "from a start point and print every iterate",
                           epilog=params_epilog(),
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    trace.add_argument("--function", required=True, help="f(x, y), e.g. 'x**2 + 3*y**2'")
    trace.add_argument("--start", required=True, type=point, help="start point X,Y")
    trace.add_argument("--method", required=True, choices=sorted(RULES))
    trace.add_argument("--lr", type=finite_float, default=None,
                       help="learning rate, short for --param learning_rate=LR (default: the "
                            "method's own: 0.1 for gd, 1 for newton)")
    add_param_option(trace)
    trace.add_argument("--steps", type=steps, default=100, help="maximum steps (default 100)")
    trace.add_argument("--tol", type=positive_float, default=1e-6,
                       help="stop when |grad f| < TOL (default 1e-6)")
    trace.add_argument("--format", choices=("json", "csv"), default="json")

    bench = sub.add_parser("bench", help="measure the engine (and the window) and print JSON")
    bench.add_argument("--only", choices=("engine", "scaling", "window", "startup", "surface"),
                       default=None, help="run one section only")
    bench.add_argument("--repeat", type=steps, default=3,
                       help="repeats of the window's and the start-up's measurements (default 3)")

    basins = sub.add_parser("basins", help="run a method from every point of a grid and "
                                           "report where the starts end (basins of attraction)",
                            epilog=params_epilog(),
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    basins.add_argument("--function", required=True, help="f(x, y), e.g. 'x**2 - y**2'")
    basins.add_argument("--method", required=True, choices=sorted(RULES))
    basins.add_argument("--range", type=plane_range, default="-4,4,-4,4",
                        help="starts over XMIN,XMAX,YMIN,YMAX (default -4,4,-4,4)")
    basins.add_argument("--grid", type=grid, default=256, help="N x N starts (default 256)")
    basins.add_argument("--steps", type=steps, default=50, help="maximum steps (default 50)")
    basins.add_argument("--lr", type=finite_float, default=None,
                        help="learning rate, short for --param learning_rate=LR (default: the "
                             "method's own)")
    add_param_option(basins)
    basins.add_argument("--tol", type=positive_float, default=1e-6,
                        help="converged when |grad f| < TOL (default 1e-6)")
    basins.add_argument("--format", choices=("json",), default="json")
    basins.add_argument("--out", default=None,
                        help="also write the basin map as a PNG (the name must end in .png)")

    onestep = sub.add_parser("onestep", help="the one-step learning rate eta = 1/f''(w0) of a "
                                             "function of one variable, and where it lands")
    onestep.add_argument("--function", required=True, help="f(w), e.g. '-w**2 - 2*w - 3'")
    onestep.add_argument("--w0", required=True, type=finite_float, help="start point w0")
    onestep.add_argument("--format", choices=("json", "text"), default="json")

    from hessianlens.export_cli import add_parser as add_export_parser

    add_export_parser(sub)
    from hessianlens.scaling_cli import add_parser as add_scaling_parser

    add_scaling_parser(sub)
    from hessianlens import rates_cli, sweep_cli

    rates_cli.add_parser(sub)
    sweep_cli.add_parser(sub)
    return parser


def cmd_trace(args) -> int:
    from hessianlens.engine.serialize import trajectory_to_csv, trajectory_to_json
    from hessianlens.engine.rules import make_rule
    from hessianlens.engine.trajectory import run

    rule = make_rule(args.method, **rule_params(args.method, args.param, args.lr))
    objective = parse_function(args.function)
    traj = run(objective, rule, args.start, max_steps=args.steps, tol=args.tol)
    if args.format == "json":
        write_out(trajectory_to_json(traj, args.function) + "\n")
    else:
        write_out(trajectory_to_csv(traj))
    return 0


def _basins_work(grid: int, steps: int) -> None:
    """Refuse grid x grid starts x steps over engine.basins.MAX_WORK, saying what fits."""
    from hessianlens.engine.basins import MAX_WORK

    work = grid * grid * steps
    if work > MAX_WORK:
        fit_steps = MAX_WORK // (grid * grid)
        fit_grid = math.isqrt(MAX_WORK // max(steps, 1))
        raise CliError(f"{grid} x {grid} starts x {steps} steps = {work:.2g} start-steps, over "
                       f"the limit of {MAX_WORK:.0e} (it would take hours); use fewer --steps "
                       f"(at most {fit_steps} with --grid {grid}) or a smaller --grid (at "
                       f"most {fit_grid} with --steps {steps})")


def cmd_basins(args) -> int:
    from hessianlens.basins_figure import write_png
    from hessianlens.engine.basins import basins_to_dict, compute_basins
    from hessianlens.engine.rules import make_rule
    from hessianlens.progress import TerminalProgress, deferred_interrupt

    if args.out:  # refused before any work
        out_path(args.out, (".png",), " (the basin map is a PNG picture)")
    _basins_work(args.grid, args.steps)
    rule = make_rule(args.method, **rule_params(args.method, args.param, args.lr))
    objective = parse_function(args.function)
    bar = TerminalProgress(f"{args.grid} x {args.grid} starts", "steps")
    try:
        with deferred_interrupt() as interrupted:  # Ctrl+C stops it between two steps
            basin_map = compute_basins(objective, rule, args.range, args.grid,
                                       max_steps=args.steps, tol=args.tol, progress=bar,
                                       cancel=interrupted)
    finally:
        bar.close()
    if args.out:
        try:
            write_png(basin_map, args.function, args.out)
        except OSError as exc:
            raise CliError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    write_out(json.dumps(basins_to_dict(basin_map, args.function), indent=2) + "\n")
    return 0


def cmd_bench(args) -> int:
    from hessianlens.bench import run_benchmarks

    write_out(json.dumps(run_benchmarks(args.only, args.repeat), indent=2) + "\n")
    return 0


ONESTEP_KEYS = ("eta", "w0", "f_w0", "df_w0", "d2f_w0", "w1", "f_w1", "w_star", "f_w_star",
                "kind", "miss")


def cmd_onestep(args) -> int:
    from hessianlens.engine.build import build_line_function
    from hessianlens.engine.onestep import one_step

    d = one_step(parse_function(args.function, build_line_function), args.w0).as_dict()
    out = {"function": d["function"], **{k: d[k] for k in ONESTEP_KEYS},
           "status": d["status"], "message": d["message"]}
    if args.format == "json":
        write_out(json.dumps(out, indent=2) + "\n")
    else:
        write_out("".join(f"{k}: {'none' if v is None else v}\n" for k, v in out.items()))
    return 0


def cmd_export(args) -> int:
    from hessianlens.export_cli import cmd_export as export

    return export(args)


def cmd_scaling(args) -> int:
    from hessianlens.scaling_cli import cmd_scaling as scaling

    return scaling(args)


NO_DISPLAY = ("no display found: the window needs a desktop session (DISPLAY or "
              "WAYLAND_DISPLAY is not set). The command-line tools work without one, e.g.\n"
              "  hessianlens trace --function 'x**2 + 3*y**2' --start 1,1 --method newton\n"
              "  hessianlens export --function 'x**2 + 3*y**2' --start 1,1 --out plane.png\n"
              "(hessianlens --help lists them all)\n")


def no_display(environ=os.environ, platform: str = sys.platform) -> bool:
    """True where Qt would fail to open a window for want of a display (on Linux, with the
    default or a windowing platform plugin and neither an X nor a Wayland display)."""
    if not platform.startswith("linux"):
        return False
    plugin = environ.get("QT_QPA_PLATFORM", "").split(":")[0]
    if plugin not in ("", "xcb", "wayland", "wayland-egl"):
        return False  # offscreen, vnc, eglfs...: the user chose a platform that needs none
    return not (environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))


def open_window(argv) -> int:
    if no_display():
        sys.stderr.write(f"hessianlens: {NO_DISPLAY}")
        return EXIT_USAGE
    from hessianlens.ui.app import run_app

    return run_app(argv)


COMMANDS = {"trace": cmd_trace, "bench": cmd_bench, "basins": cmd_basins, "onestep": cmd_onestep,
            "export": cmd_export, "scaling": cmd_scaling}


def cmd_rates(args) -> int:
    from hessianlens.rates_cli import cmd_rates as rates

    return rates(args)


def cmd_sweep(args) -> int:
    from hessianlens.sweep_cli import cmd_sweep as sweep

    return sweep(args)


COMMANDS.update(rates=cmd_rates, sweep=cmd_sweep)

_OPTION = re.compile(r"--?[A-Za-z][\w-]*(=.*)?")


def _attach_dash_values(argv: list[str]) -> list[str]:
    """Turn ``--start -3,-3`` into ``--start=-3,-3``.

    argparse takes a value starting with '-' for an option (only a bare '-3' passes), which
    breaks negative start points and functions like '-x**2 + y'.
    """
    out: list[str] = []
    for arg in argv:
        if out and out[-1].startswith("--") and "=" not in out[-1] and arg.startswith("-") \
                and not _OPTION.fullmatch(arg):
            out[-1] = f"{out[-1]}={arg}"
        else:
            out.append(arg)
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv:
        return open_window(argv)
    args = build_parser().parse_args(_attach_dash_values(argv))
    if args.command is None:
        return open_window([])
    try:
        return COMMANDS[args.command](args)
    except CliError as exc:
        sys.stderr.write(f"hessianlens {args.command}: {exc}\n")
        return EXIT_USAGE
    except StdoutError as exc:
        discard_stdout()
        if exc.broken_pipe:  # the reader stopped early (| head): nothing to report
            return EXIT_BROKEN_PIPE
        sys.stderr.write(f"hessianlens {args.command}: cannot write the output: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:  # Ctrl+C: files being written were left as they were
        sys.stderr.write(f"\nhessianlens {args.command}: interrupted\n")
        return EXIT_INTERRUPTED
    except Exception as exc:  # the last resort: one line, never a traceback
        sys.stderr.write(f"hessianlens {args.command}: internal error "
                         f"({type(exc).__name__}: {_first_line(exc)})\n")
        return EXIT_USAGE


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else "no message"
