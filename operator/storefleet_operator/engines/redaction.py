"""Remove secret values from captured command output before it goes anywhere.

Tools echo their input more often than one would think (WP-CLI logs a prompted command line, Node
prints the failing JSON in a parse error), and stderr ends up in events, status and logs. Every value a
recipe sends on stdin, and every value it marks secret, is replaced wherever it appears.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

REDACTED: Final = "[REDACTED]"


class Redactor:
    def __init__(self, secrets: Iterable[str]) -> None:
        values: set[str] = set()
        for secret in secrets:
            for form in (secret, secret.strip()):
                if form:
                    values.add(form)
        # Longest first, so a secret that contains another is removed whole.
        self._values = sorted(values, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for value in self._values:
            if value in text:
                text = text.replace(value, REDACTED)
        return text


def tail_lines(text: str, lines: int = 5, width: int = 240) -> str:
    """The last non-empty lines of some output, each cut to ``width`` characters, for messages."""
    kept = [line.rstrip() for line in text.splitlines() if line.strip()][-lines:]
    return "\n".join(line if len(line) <= width else line[: width - 1] + "…" for line in kept)
