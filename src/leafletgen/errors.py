"""Problems and exceptions.

Content problems are collected, not raised: every stage returns the ``Problem`` values it
found, so one run reports every problem in every file. Exceptions are for what stops a
whole command::

    LeafletgenError
     ├── UsageError      wrong command-line use or API arguments (exit 2)
     ├── ContentError    a file that cannot be used; carries its Problems (exit 1)
     └── OutputError     an output file that cannot be written (exit 1)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file, located as precisely as the source allows."""

    path: Path
    line: int
    message: str
    severity: Severity = Severity.ERROR
    # what the problem is about, as data for callers that answer in another form (an HTTP
    # 4xx names the field): ``field`` a dotted field of the input (``medicines.0.dose``),
    # ``rule`` the check that found it (a verification rule's name)
    field: str | None = None
    rule: str | None = None

    def __str__(self) -> str:
        prefix = "" if self.severity is Severity.ERROR else "warning: "
        # line 0: the problem is with the file or folder as a whole
        where = f"{display_path(self.path)}:{self.line}" if self.line else display_path(self.path)
        return f"{where}: {prefix}{self.message}"


def display_path(path: Path) -> str:
    """Show a path relative to the working directory when it lies inside it."""
    try:  # the folder resolved, not the file: a link is named as itself, not its target
        return str((path.absolute().parent.resolve() / path.name).relative_to(
            Path.cwd().resolve()))
    except ValueError:
        return str(path)


def errors_in(problems: Iterable[Problem]) -> list[Problem]:
    """The problems that are errors (not warnings)."""
    return [p for p in problems if p.severity is Severity.ERROR]


class LeafletgenError(Exception):
    """Base of every error leafletgen raises on purpose."""


class UsageError(LeafletgenError):
    """The command or API call itself is wrong (unknown variant, missing folder)."""


class ContentError(LeafletgenError):
    """A file cannot be used; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in problems))


class OutputError(LeafletgenError):
    """An output file cannot be written (a folder in its path is a file, no permission)."""
