"""The details of each graded test that students may see, set by the instructor in a TOML policy file.

A policy file reads::

    due = 2025-06-01T23:59:00+02:00   # a TOML datetime, read as UTC when it has no offset

    [default]                         # level per test folder; these are the defaults
    public = "visible"
    hidden = "hidden"

    [[rule]]                          # the last rule that matches a test sets its level
    match = "tests/hidden/toy/test_losses.py::*"
    visibility = "after_due_date"

    [[rule]]
    match = "1.2"                     # an exercise id, or a glob such as "2.*"
    visibility = "visible"

Levels:

- ``visible``: name, outcome, points and the message, cut to ``VISIBLE_LIMIT`` characters;
- ``hidden``: name, outcome and points, and only the first line of the message, cut to ``HIDDEN_LIMIT``;
- ``after_due_date``: ``hidden`` until the due date, then ``visible``;
- ``after_published``: for Gradescope, which shows the test once the instructor publishes the grades.
  The local feedback files cannot know when that happens, so they show such tests as ``hidden``.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path

from grader.grade.runner import RubricTest, TestResult

LEVELS = ("visible", "hidden", "after_due_date", "after_published")
FOLDERS = ("public", "hidden")
DEFAULT_LEVELS = {"public": "visible", "hidden": "hidden"}

VISIBLE_LIMIT = 1000  # characters of a message shown for a visible test
HIDDEN_LIMIT = 160  # characters of the first line of a message shown for a hidden test

TOP_LEVEL_KEYS = ("due", "default", "rule")
RULE_KEYS = ("match", "visibility")

# ANSI escape sequences: CSI (colours, cursor moves), OSC (titles, hyperlinks) ended by BEL or ST, and two-character escapes.
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]?")
# C0 and C1 control characters except tab and newline, and the Unicode bidirectional overrides and isolates,
# which can make a line display in another order than it reads.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_ASSERTION_LINE = re.compile(r"^(?:AssertionError: )?assert\b")


class PolicyError(ValueError):
    """An invalid visibility policy file. The message names the file, the key and the fix."""


@dataclass(frozen=True)
class Rule:
    # A glob over a test's nodeid or its exercise id, read by fnmatch. NOTE: "[...]" is a character class there,
    # so a parametrized id such as "test_mse[2-3]" matches literally only when written "test_mse[[]2-3]".
    match: str
    visibility: str

    def matches(self, test: RubricTest) -> bool:
        return fnmatch.fnmatchcase(test.nodeid, self.match) or fnmatch.fnmatchcase(test.exercise, self.match)


@dataclass(frozen=True)
class Policy:
    due: datetime | None = None  # timezone-aware
    defaults: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_LEVELS))
    rules: tuple[Rule, ...] = ()
    source: Path | None = None  # the file the policy was read from, None for the built-in policy

    def level(self, test: RubricTest) -> str:
        """Return the level the policy sets for ``test``: the last matching rule's, else its folder's default."""
        for rule in reversed(self.rules):
            if rule.matches(test):
                return rule.visibility
        return self.defaults[folder_of(test)]

    def shown(self, test: RubricTest, now: datetime) -> str:
        """Return ``visible`` or ``hidden``: how the feedback files show ``test`` at time ``now`` (naive means UTC)."""
        level = self.level(test)
        if level == "after_due_date":
            return "visible" if self.due is not None and as_utc(now) >= self.due else "hidden"
        if level == "after_published":
            return "hidden"
        return level

    def gradescope_visibility(self, test: RubricTest) -> str:
        """Return the ``visibility`` value of ``test`` in Gradescope's results.json.

        Gradescope applies the due date and publication itself, so the level is passed through. Gradescope's
        ``hidden`` never shows the test to students, which hides more than the ``hidden`` level of the feedback files.
        """
        return self.level(test)

    def unmatched_rules(self, rubric: list[RubricTest]) -> list[Rule]:
        """Return the rules that match no test of ``rubric``, most likely typos in ``match``."""
        return [rule for rule in self.rules if not any(rule.matches(test) for test in rubric)]


def folder_of(test: RubricTest) -> str:
    """Return ``public`` or ``hidden``: the test folder, read off the visibility that the rubric records for it."""
    return "public" if test.visibility == "visible" else "hidden"


def as_utc(moment: datetime) -> datetime:
    """Return ``moment`` as a timezone-aware datetime, reading a naive one as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def load_policy(path: Path | None) -> Policy:
    """Read a policy file, or return the built-in policy (public tests visible, hidden tests hidden) for ``None``.

    Raises ``PolicyError`` naming the file, the key and the fix for a missing or malformed file.
    """
    if path is None:
        return Policy()
    path = Path(path)
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except FileNotFoundError:
        raise PolicyError(f"{path}: visibility policy file not found") from None
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(f"{path}: invalid TOML: {error}") from None
    except UnicodeDecodeError as error:
        raise PolicyError(f"{path}: not UTF-8 text (byte {error.start}); save the policy file as UTF-8") from None
    except OSError as error:
        raise PolicyError(f"{path}: cannot read the visibility policy file: {error.strerror}") from None

    unknown = sorted(set(document) - set(TOP_LEVEL_KEYS))
    if unknown:
        raise PolicyError(f"{path}: unknown key {unknown[0]!r}. A policy file contains only {', '.join(TOP_LEVEL_KEYS)}")

    due = parse_due(path, document.get("due"))
    defaults = parse_defaults(path, document.get("default", {}))
    rules = parse_rules(path, document.get("rule", []))

    levels = [(f"default.{folder}", level) for folder, level in defaults.items()]
    levels += [(f"rule {number} ({rule.match!r})", rule.visibility) for number, rule in enumerate(rules, start=1)]
    for where, level in levels:
        if level == "after_due_date" and due is None:
            raise PolicyError(f"{path}: {where} is 'after_due_date' but the file sets no due date. "
                              f"Add a line such as due = 2025-06-01T23:59:00+02:00")
    return Policy(due, defaults, tuple(rules), path)


def parse_due(path: Path, value: object) -> datetime | None:
    """Return the due date as a timezone-aware datetime, reading a value without an offset as UTC."""
    if value is None:
        return None
    example = "write it as a TOML datetime such as due = 2025-06-01T23:59:00+02:00"
    if isinstance(value, str):
        text = value
        try:
            # datetime.fromisoformat reads a bare date as midnight; a date string is rejected like a TOML date.
            value = date.fromisoformat(text)
        except ValueError:
            try:
                value = datetime.fromisoformat(text)
            except ValueError:
                raise PolicyError(f"{path}: due {text!r} is not an ISO 8601 datetime, so {example}") from None
    if isinstance(value, datetime):
        return as_utc(value)
    if isinstance(value, date):
        raise PolicyError(f"{path}: due {value.isoformat()} has no time of day, so {example}")
    if isinstance(value, time):
        raise PolicyError(f"{path}: due {value.isoformat()} has no date, so {example}")
    raise PolicyError(f"{path}: due {value!r} is not a datetime, so {example}")


def check_level(path: Path, where: str, value: object) -> str:
    if value not in LEVELS:
        raise PolicyError(f"{path}: {where} {value!r} is not a visibility level. Use one of {', '.join(LEVELS)}")
    return str(value)


def parse_defaults(path: Path, table: object) -> dict[str, str]:
    if not isinstance(table, dict):
        raise PolicyError(f"{path}: default must be a table, written [default], with the keys {', '.join(FOLDERS)}")
    unknown = sorted(set(table) - set(FOLDERS))
    if unknown:
        raise PolicyError(f"{path}: unknown key default.{unknown[0]}. [default] sets a level for the test folders "
                          f"{', '.join(FOLDERS)}, and [[rule]] entries set it for single tests or exercises")
    defaults = dict(DEFAULT_LEVELS)
    for folder, value in table.items():
        defaults[folder] = check_level(path, f"default.{folder}", value)
    return defaults


def parse_rules(path: Path, entries: object) -> list[Rule]:
    if not isinstance(entries, list):
        raise PolicyError(f"{path}: rule must be a list of tables, each written [[rule]] with the keys {', '.join(RULE_KEYS)}")
    rules = []
    for number, entry in enumerate(entries, start=1):
        where = f"rule {number}"
        if not isinstance(entry, dict):
            raise PolicyError(f"{path}: {where} must be a table written [[rule]], got {entry!r}")
        unknown = sorted(set(entry) - set(RULE_KEYS))
        if unknown:
            raise PolicyError(f"{path}: {where} has the unknown key {unknown[0]!r}. A rule contains only {', '.join(RULE_KEYS)}")
        for key in RULE_KEYS:
            if key not in entry:
                raise PolicyError(f"{path}: {where} is missing the key {key!r}. A rule needs both {' and '.join(RULE_KEYS)}")
        pattern = entry["match"]
        if not isinstance(pattern, str) or not pattern.strip():
            raise PolicyError(f"{path}: {where} match {pattern!r} must be a non-empty glob over a test nodeid or an exercise id, "
                              f"such as \"tests/hidden/toy/test_losses.py::*\" or \"1.2\"")
        rules.append(Rule(pattern, check_level(path, f"{where} visibility", entry["visibility"])))
    return rules


def clean_text(text: str) -> str:
    """Remove ANSI escape sequences and control characters, keeping tabs and line breaks (``\\r\\n`` becomes ``\\n``)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ANSI_ESCAPE.sub("", text)
    return _CONTROL.sub("", text)


def cut_marker(count: int) -> str:
    return f"[… {count:,} characters cut]"


def bound_message(text: str, limit: int = VISIBLE_LIMIT) -> str:
    """Return ``text`` without control characters or escapes, at most ``limit`` characters long, marker included.

    A cut text ends with ``[… N characters cut]`` on its own line. Only the first ``8 * limit`` characters are
    cleaned, so a message of many megabytes costs little. N counts the cleaned characters that were dropped plus
    every raw character past that prefix, so escape sequences there count as cut characters.
    """
    if limit < len(cut_marker(10**9)) + 1:
        raise ValueError(f"limit must leave room for the cut marker, got {limit}")
    text = "" if text is None else str(text)
    scanned = 8 * limit
    unscanned = max(0, len(text) - scanned)
    cleaned = clean_text(text[:scanned])
    if not unscanned and len(cleaned) <= limit:
        return cleaned

    kept = limit - len(cut_marker(len(cleaned) + unscanned)) - 1  # -1 for the line break before the marker
    head = cleaned[:kept].rstrip()
    return f"{head}\n{cut_marker(len(cleaned) - len(head) + unscanned)}"


def short_message(text: str, limit: int = HIDDEN_LIMIT) -> str:
    """Return the first non-empty line of ``text``, cleaned and cut to ``limit`` characters, for a hidden test.

    A line that is pytest's rewritten ``assert`` expression shows the test's own code and values, so it is
    replaced by a plain sentence.
    """
    text = "" if text is None else str(text)
    lines = [line.strip() for line in clean_text(text[: 8 * limit + 4096]).split("\n")]
    first = next((line for line in lines if line), "")
    if _ASSERTION_LINE.match(first):
        return "an assertion of this test failed"
    if len(first) <= limit:
        return first
    kept = limit - len(" [… cut]")
    return f"{first[:kept].rstrip()} [… cut]"


def shown_message(result: TestResult, shown: str) -> str:
    """Return the message of ``result`` as a student may see it at the level ``shown`` (``visible`` or ``hidden``)."""
    if not result.message:
        return ""
    if shown == "visible":
        return bound_message(result.message, VISIBLE_LIMIT)
    return short_message(result.message, HIDDEN_LIMIT)
