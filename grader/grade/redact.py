"""Remove lines of the kit's hidden code from messages that student code can write.

The grading copy has to contain the hidden tests and the reference of the other modules, so a submission can
read them and raise an exception whose message quotes them. Every message line that matches a line of those
files, once stripped, is replaced before any report is written. Code that encodes what it copies gets past
this; the red flags list code that names the tests.
"""

from __future__ import annotations

from pathlib import Path

MIN_LENGTH = 24  # shorter lines ("return x", "import torch") are too common to tell anything away
REPLACEMENT = "[a line of the kit's hidden tests or reference was removed]"
SOURCES = ("tests/hidden", "solutions")


class Redactor:
    """The set of hidden lines of one kit, and the function that removes them from a message."""

    def __init__(self, kit: Path) -> None:
        self.lines: set[str] = set()
        for folder in SOURCES:
            for path in sorted((kit / folder).rglob("*.py")):
                for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                    stripped = line.strip()
                    if len(stripped) >= MIN_LENGTH:
                        self.lines.add(stripped)

    def clean(self, text: str) -> str:
        """Return ``text`` with every line found in the hidden sources replaced."""
        if not text:
            return text
        lines = text.split("\n")
        cleaned = [REPLACEMENT if line.strip() in self.lines else line for line in lines]
        return "\n".join(cleaned)
