"""Per-student feedback files, ``feedback.md`` and ``feedback.html``, with each test shown as the visibility policy allows.

Everything a submission controls (its name, messages, printed output) is cleaned of control characters and
escapes, cut to a bounded length, and escaped for the format: Markdown puts messages in fenced code blocks, and
HTML escapes every value with ``html.escape``. The files never contain test source. They show the messages that
pytest recorded, where assertion introspection can quote the failing expression, so a hidden test shows only the
first line of its message, and a rewritten ``assert`` line is replaced by a plain sentence.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from grader.grade.runner import ExerciseResult, TestResult
from grader.grade.visibility import (
    HIDDEN_LIMIT,
    VISIBLE_LIMIT,
    Policy,
    bound_message,
    clean_text,
    folder_of,
    short_message,
    shown_message,
)

STATUS_WORDS = {
    "passed": "passed",
    "failed": "some tests failed",
    "error": "error: the tests could not run",
    "timeout": "timed out: the tests were stopped at the time limit",
    "out-of-memory": "ran out of memory: the tests were stopped at the memory limit",
    "crashed": "crashed: the test process died",
    "missing": "module missing from the submission",
    "tampered": "rejected: the submission interfered with the grading",
}
FACT_LIMIT = 200  # characters of one line of submission details (name, environment entry)


@dataclass
class ShownTest:
    label: str  # the nodeid of a public test, the function name of a hidden one
    folder: str  # public or hidden
    outcome: str
    score: float
    points: float
    shown: str  # visible or hidden
    message: str  # already cleaned and cut for its level


@dataclass
class ShownExercise:
    id: str
    title: str
    score: float
    max_score: float
    status: str
    message: str
    tests: list[ShownTest] = field(default_factory=list)

    @property
    def status_text(self) -> str:
        return status_words(self.status)


@dataclass
class Feedback:
    name: str
    score: float
    max_score: float
    message: str
    facts: list[tuple[str, str]]  # (label, value): isolation, content hash, environment entries
    exercises: list[ShownExercise]
    withheld: int  # tests whose full messages are shown only after the due date
    due: datetime | None


def status_words(status: str) -> str:
    """Return an exercise status in words, e.g. ``timeout`` as "timed out: ...", or the status itself when unknown."""
    return STATUS_WORDS.get(status, status)


def format_points(value: float) -> str:
    return f"{value:g}"


def single_line(text: object, limit: int = FACT_LIMIT) -> str:
    return bound_message(" ".join(clean_text(str(text)).split()), limit).replace("\n", " ")


def submission_facts(result) -> list[tuple[str, str]]:
    """Return how the submission was graded, from the optional fields ``isolation``, ``content_hash`` and ``environment``."""
    facts = []
    isolation = getattr(result, "isolation", "")
    if isolation:
        facts.append(("isolation", single_line(isolation)))
    content_hash = getattr(result, "content_hash", "")
    if content_hash:
        facts.append(("content hash", single_line(content_hash)))
    environment = getattr(result, "environment", None) or {}
    for key, value in environment.items():
        if key != "isolation" or not isolation:
            facts.append((single_line(key, 60), single_line(value)))
    return facts


def shown_test(result: TestResult, exercise: ExerciseResult, policy: Policy, now: datetime) -> ShownTest:
    test = result.test
    folder = folder_of(test)
    shown = policy.shown(test, now)
    message = shown_message(result, shown)
    if result.outcome == "not run" and result.message == exercise.message:
        message = ""  # the exercise message gives the reason once, at the level the exercise allows
    label = test.nodeid if folder == "public" else test.name
    return ShownTest(single_line(label), folder, result.outcome, result.score, test.points, shown, message)


def shown_exercise(result: ExerciseResult, policy: Policy, now: datetime) -> ShownExercise:
    tests = [shown_test(test, result, policy, now) for test in result.tests]
    # The exercise message can hold the tail of pytest's output, with any test's traceback, so it is shown
    # in full only when every test of the exercise is visible.
    if all(test.shown == "visible" for test in tests):
        message = bound_message(result.message, VISIBLE_LIMIT) if result.message else ""
    else:
        message = short_message(result.message, HIDDEN_LIMIT)
    exercise = result.exercise
    return ShownExercise(exercise.id, single_line(getattr(exercise, "title", "")), result.score, result.max_score,
                        result.status, message, tests)


def build_feedback(result, policy: Policy, now: datetime) -> Feedback:
    """Return what the feedback files show for ``result`` (a ``SubmissionResult``) at time ``now``."""
    exercises = [shown_exercise(exercise, policy, now) for exercise in result.exercises]
    withheld = sum(1 for exercise in result.exercises for test in exercise.tests
                   if policy.level(test.test) == "after_due_date" and policy.shown(test.test, now) == "hidden")
    message = bound_message(result.message, VISIBLE_LIMIT) if result.message else ""
    return Feedback(single_line(result.name), result.score, result.max_score, message, submission_facts(result),
                        exercises, withheld, policy.due)


def due_text(due: datetime | None) -> str:
    return due.strftime("%Y-%m-%d %H:%M %Z").strip() if due is not None else "the due date"


def withheld_sentence(count: int, due: str) -> str:
    return f"The full messages of {count} test{'' if count == 1 else 's'} are shown after {due}."


# Markdown

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~&])")


def md_text(text: str) -> str:
    """Escape ``text`` for one line of Markdown, so that it cannot open links, images, HTML or table cells."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def md_code(text: str, in_table: bool = False) -> str:
    """Return ``text`` as an inline code span. With ``in_table``, ``|`` is escaped, because GitHub tables end a cell there even in code."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    if in_table:
        text = text.replace("|", "\\|")
    return f"{fence} {text} {fence}"


def md_block(text: str) -> list[str]:
    """Return ``text`` as a fenced code block: Markdown inside a message is shown as written, never rendered."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence, *text.split("\n"), fence]


def render_markdown(result, policy: Policy, now: datetime) -> str:
    """Return the feedback for one submission as Markdown."""
    feedback = build_feedback(result, policy, now)
    lines = [f"# Feedback for {md_text(feedback.name)}", "",
             f"**Total: {format_points(feedback.score)}/{format_points(feedback.max_score)} points**", ""]
    if feedback.message:
        lines += ["Message from the grader:", "", *md_block(feedback.message), ""]
    if feedback.facts:
        lines += [f"- {md_text(label)}: {md_text(value)}" for label, value in feedback.facts]
        lines.append("")
    if feedback.withheld:
        lines += [withheld_sentence(feedback.withheld, md_text(due_text(feedback.due))), ""]

    lines += ["| exercise | title | points | status |", "|---|---|---:|---|"]
    for exercise in feedback.exercises:
        lines.append(f"| {md_text(exercise.id)} | {md_text(exercise.title)} | "
                     f"{format_points(exercise.score)}/{format_points(exercise.max_score)} | {md_text(exercise.status_text)} |")

    for exercise in feedback.exercises:
        lines += ["", f"## {md_text(exercise.id)} {md_text(exercise.title)}: "
                      f"{format_points(exercise.score)}/{format_points(exercise.max_score)} points", "",
                  f"Status: {md_text(exercise.status_text)}", ""]
        if exercise.message:
            lines += [*md_block(exercise.message), ""]
        if not exercise.tests:
            continue
        lines += ["| test | folder | outcome | points |", "|---|---|---|---:|"]
        for test in exercise.tests:
            lines.append(f"| {md_code(test.label, in_table=True)} | {test.folder} | {md_text(test.outcome)} | "
                         f"{format_points(test.score)}/{format_points(test.points)} |")
        for test in exercise.tests:
            if test.message:
                lines += ["", f"{md_code(test.label)} ({md_text(test.outcome)}):", "", *md_block(test.message)]
    return "\n".join(lines) + "\n"


# HTML

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
td.points { text-align: right; white-space: nowrap; }
tr.passed td.outcome { color: #176b2c; }
tr.failed td.outcome { color: #a11; }
pre { background: #f4f4f4; padding: 0.5rem; overflow-x: auto; white-space: pre-wrap; word-break: break-word; }
.facts { color: #555; }
"""


def escape(text: object) -> str:
    return html.escape(str(text), quote=True)


def outcome_class(outcome: str) -> str:
    return "passed" if outcome == "passed" else "failed"


def render_html(result, policy: Policy, now: datetime) -> str:
    """Return the feedback for one submission as a self-contained HTML page that loads nothing and runs no script."""
    feedback = build_feedback(result, policy, now)
    total = f"{format_points(feedback.score)}/{format_points(feedback.max_score)}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        # Defence in depth: even if a value escaped the escaping, the page may load nothing and run no script.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>Feedback for {escape(feedback.name)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>Feedback for {escape(feedback.name)}</h1>",
        f"<p><strong>Total: {total} points</strong></p>",
    ]
    if feedback.message:
        parts += ["<p>Message from the grader:</p>", f"<pre>{escape(feedback.message)}</pre>"]
    if feedback.facts:
        parts.append('<ul class="facts">')
        parts += [f"<li>{escape(label)}: {escape(value)}</li>" for label, value in feedback.facts]
        parts.append("</ul>")
    if feedback.withheld:
        parts.append(f"<p>{withheld_sentence(feedback.withheld, escape(due_text(feedback.due)))}</p>")

    parts += ["<table>", "<tr><th>exercise</th><th>title</th><th>points</th><th>status</th></tr>"]
    for exercise in feedback.exercises:
        parts.append(f'<tr class="{outcome_class(exercise.status)}"><td>{escape(exercise.id)}</td><td>{escape(exercise.title)}</td>'
                     f'<td class="points">{format_points(exercise.score)}/{format_points(exercise.max_score)}</td>'
                     f'<td class="outcome">{escape(exercise.status_text)}</td></tr>')
    parts.append("</table>")

    for exercise in feedback.exercises:
        parts += [f"<h2>{escape(exercise.id)} {escape(exercise.title)}: "
                  f"{format_points(exercise.score)}/{format_points(exercise.max_score)} points</h2>",
                  f"<p>Status: {escape(exercise.status_text)}</p>"]
        if exercise.message:
            parts.append(f"<pre>{escape(exercise.message)}</pre>")
        if not exercise.tests:
            continue
        parts += ["<table>", "<tr><th>test</th><th>folder</th><th>outcome</th><th>points</th><th>message</th></tr>"]
        for test in exercise.tests:
            message = f"<pre>{escape(test.message)}</pre>" if test.message else ""
            parts.append(f'<tr class="{outcome_class(test.outcome)}"><td><code>{escape(test.label)}</code></td>'
                         f"<td>{escape(test.folder)}</td><td class=\"outcome\">{escape(test.outcome)}</td>"
                         f'<td class="points">{format_points(test.score)}/{format_points(test.points)}</td>'
                         f"<td>{message}</td></tr>")
        parts.append("</table>")
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"


def write_feedback(result, folder: Path, policy: Policy, now: datetime | None = None) -> tuple[Path, Path]:
    """Write ``folder/feedback.md`` and ``folder/feedback.html`` for one submission; return their paths.

    ``now`` (default: the current time, in UTC) decides whether ``after_due_date`` tests show their details.
    """
    now = now if now is not None else datetime.now(UTC)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    markdown_path = folder / "feedback.md"
    html_path = folder / "feedback.html"
    markdown_path.write_text(render_markdown(result, policy, now), encoding="utf-8")
    html_path.write_text(render_html(result, policy, now), encoding="utf-8")
    return markdown_path, html_path
