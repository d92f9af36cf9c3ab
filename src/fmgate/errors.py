"""Errors that end a command, each tied to the exit code the CLI contract gives it."""

from __future__ import annotations

import sys
from collections.abc import Sequence

EXIT_OK = 0
EXIT_DENIED = 1
EXIT_BAD_INPUT = 2
EXIT_ENGINE = 3


class FmgateError(Exception):
    """Base error: a message for a person, naming what to fix, and an exit code."""

    exit_code = EXIT_BAD_INPUT

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        field: str | None = None,
        line: int | None = None,
        fix: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.field = field
        self.line = line
        self.fix = fix

    def __str__(self) -> str:
        where = self.path or ""
        if where and self.line:
            where = f"{where}:{self.line}"
        parts = [f"{where}: " if where else ""]
        if self.field:
            parts.append(f"field '{self.field}': ")
        parts.append(self.message)
        if self.fix:
            parts.append(f" (fix: {self.fix})")
        return "".join(parts)


class InputError(FmgateError):
    """A memo, input file, setting or command line that cannot be used as given."""

    exit_code = EXIT_BAD_INPUT


class EngineError(FmgateError):
    """OPA, a notebook kernel or another piece of infrastructure failed."""

    exit_code = EXIT_ENGINE


def report_unreadable(problems: Sequence[FmgateError], consequence: str) -> int:
    """Name each memo left out of the repository index on stderr; the exit code that says so.

    A command that decided what it could still ends in bad input: the index the
    policies saw was incomplete, so nothing decided with it can count as a pass.
    """
    for problem in problems:
        print(f"fmgate: error: {problem}", file=sys.stderr)
    count = len(problems)
    print(
        f"fmgate: error: {count} memo{'s' if count != 1 else ''} in the repository could not be read "
        f"(the repository index lacks {'them' if count != 1 else 'it'}); {consequence}",
        file=sys.stderr,
    )
    return EXIT_BAD_INPUT
