"""The fmgate command line: a thin layer over the library API."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import traceback
from pathlib import Path
from types import FrameType

from . import __version__
from .commands import check, ci, collect, doctor, explain, import_log, new, relitigate, site, verify
from .errors import EXIT_ENGINE, FmgateError

COMMANDS = [new, import_log, collect, check, ci, verify, relitigate, site, explain, doctor]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fmgate",
        description="Evidence gates for buy / fine-tune / build decisions on foundation models. "
        "Exit codes: 0 approved or ok, 1 denied or something due, "
        "2 bad input or usage, 3 engine or infrastructure failure.",
    )
    parser.add_argument("--version", action="version", version=f"fmgate {__version__}")
    parser.add_argument(
        "--repo", type=Path, default=None, help="the decision repository (default: found from the current folder)"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMANDS:
        module.add_parser(subparsers)
    return parser


def _terminate(signum: int, frame: FrameType | None) -> None:
    # Turn SIGTERM into an exception so every `with` block stops OPA on the way out.
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        return int(args.run(args))
    except FmgateError as exc:
        print(f"fmgate: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("fmgate: interrupted; nothing was approved", file=sys.stderr)
        return EXIT_ENGINE
    except BrokenPipeError:
        # the reader went away (fmgate check ... | head): stop quietly, claiming nothing
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ENGINE
    except Exception as exc:
        if os.environ.get("FMGATE_TRACEBACK"):
            traceback.print_exc()
        try:
            detail = f"{type(exc).__name__}: {exc}"[:500]
        except Exception:
            detail = type(exc).__name__
        print(
            f"fmgate: internal error in '{args.command}': {detail}; nothing was approved. "
            "This is a bug in fmgate: please report it with the command and the input that caused it "
            "(set FMGATE_TRACEBACK=1 to print the traceback)",
            file=sys.stderr,
        )
        return EXIT_ENGINE


if __name__ == "__main__":
    sys.exit(main())
