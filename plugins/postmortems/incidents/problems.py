"""Problems found in incident files, kept as values and reported together."""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file, in words the file's writer understands.

    ``message`` starts with the field it is about, so ``str(problem)`` reads
    ``incidents/x.md:7: resolved (2013-07-12 02:05) is before started (...)``.
    """

    path: str
    message: str
    field: str = ""
    line: int | None = None
    level: str = ERROR

    @property
    def is_error(self) -> bool:
        return self.level == ERROR

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"

    def sort_key(self) -> tuple:
        return (self.path, self.line or 0, self.message)
