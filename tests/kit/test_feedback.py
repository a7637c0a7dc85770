"""Tests of the visibility policy, the per-student feedback files and the progress line of ``grader grade``."""

import io
import re
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from grader import curriculum
from grader.grade import SubmissionResult, runner
from grader.grade.feedback import render_html, render_markdown, write_feedback
from grader.grade.progress import Progress, format_duration
from grader.grade.visibility import (
    HIDDEN_LIMIT,
    VISIBLE_LIMIT,
    Policy,
    PolicyError,
    Rule,
    bound_message,
    load_policy,
    short_message,
)

DUE = datetime(2025, 6, 1, 21, 59, tzinfo=UTC)
BEFORE = DUE - timedelta(minutes=1)
AFTER = DUE + timedelta(minutes=1)

PUBLIC_LOSS = runner.RubricTest("tests/public/toy/test_losses.py::test_mse_shape", "test_mse_shape", "1.2", 1.0, "visible")
HIDDEN_LOSS = runner.RubricTest("tests/hidden/toy/test_losses.py::test_mse_matches_torch", "test_mse_matches_torch", "1.2", 2.0, "hidden")
HIDDEN_PERCEPTRON = runner.RubricTest("tests/hidden/toy/test_perceptron.py::test_update", "test_update", "1.1", 3.0, "hidden")

HIDDEN_SECRET = "expected tensor([0.2500, 0.7500]) from the reference"


def write_policy(tmp_path, text):
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return path


def graded_test(test, outcome, message=""):
    return runner.TestResult(test, outcome, message)


def submission(name="alice", exercises=None, message="", **optional):
    result = SubmissionResult(name, None, exercises or [], message, 12.5)
    for key, value in optional.items():
        setattr(result, key, value)
    return result


def losses_exercise(public_message="AssertionError: mse_loss returned shape (4, 1), expected ()", hidden_message="",
                    status="failed", exercise_message=""):
    tests = [graded_test(PUBLIC_LOSS, "failed" if public_message else "passed", public_message),
             graded_test(HIDDEN_LOSS, "failed" if hidden_message else "passed", hidden_message)]
    return runner.ExerciseResult(curriculum.by_id("1.2"), status, tests, 3.0, exercise_message)


# Visibility policy


def test_policy_defaults_by_folder():
    policy = load_policy(None)
    assert policy.level(PUBLIC_LOSS) == "visible"
    assert policy.level(HIDDEN_LOSS) == "hidden"
    assert policy.shown(PUBLIC_LOSS, AFTER) == "visible"
    assert policy.shown(HIDDEN_LOSS, AFTER) == "hidden"
    assert policy.gradescope_visibility(HIDDEN_LOSS) == "hidden"


def test_policy_default_table_overrides(tmp_path):
    path = write_policy(tmp_path, 'due = 2025-06-01T23:59:00+02:00\n[default]\nhidden = "after_due_date"\n')
    policy = load_policy(path)
    assert policy.level(PUBLIC_LOSS) == "visible"
    assert policy.level(HIDDEN_LOSS) == "after_due_date"
    assert policy.gradescope_visibility(HIDDEN_LOSS) == "after_due_date"


def test_after_due_date_before_and_after(tmp_path):
    policy = load_policy(write_policy(tmp_path, 'due = 2025-06-01T23:59:00+02:00\n[default]\nhidden = "after_due_date"\n'))
    assert policy.due == DUE
    assert policy.shown(HIDDEN_LOSS, BEFORE) == "hidden"
    assert policy.shown(HIDDEN_LOSS, DUE) == "visible"
    assert policy.shown(HIDDEN_LOSS, AFTER) == "visible"
    # A naive "now" is read as UTC.
    assert policy.shown(HIDDEN_LOSS, BEFORE.replace(tzinfo=None)) == "hidden"
    assert policy.shown(HIDDEN_LOSS, AFTER.replace(tzinfo=None)) == "visible"


def test_due_without_offset_is_utc(tmp_path):
    for text in ("due = 2025-06-01T21:59:00", 'due = "2025-06-01T21:59:00"', 'due = "2025-06-01T23:59:00+02:00"'):
        policy = load_policy(write_policy(tmp_path, text + "\n"))
        assert policy.due == DUE, text
        assert policy.due.utcoffset() is not None, text


def test_after_published_is_hidden_locally(tmp_path):
    policy = load_policy(write_policy(tmp_path, '[[rule]]\nmatch = "1.2"\nvisibility = "after_published"\n'))
    assert policy.shown(PUBLIC_LOSS, AFTER) == "hidden"
    assert policy.gradescope_visibility(PUBLIC_LOSS) == "after_published"


def test_last_matching_rule_wins(tmp_path):
    path = write_policy(tmp_path, """
due = 2025-06-01T21:59:00Z

[[rule]]
match = "1.*"
visibility = "after_due_date"

[[rule]]
match = "tests/hidden/toy/test_losses.py::*"
visibility = "visible"

[[rule]]
match = "tests/hidden/toy/test_losses.py::test_mse_matches_torch"
visibility = "hidden"
""")
    policy = load_policy(path)
    # The third rule is the last that matches this test, so it wins over the broader rules above it.
    assert policy.level(HIDDEN_LOSS) == "hidden"
    # Only the exercise-id rule matches the perceptron test.
    assert policy.level(HIDDEN_PERCEPTRON) == "after_due_date"
    # Rule 1 matches the public test by its exercise id, over the folder default.
    assert policy.level(PUBLIC_LOSS) == "after_due_date"
    other = runner.RubricTest("tests/public/bonus/test_topk.py::test_shape", "test_shape", "3.1", 1.0, "visible")
    assert policy.level(other) == "visible"


def test_rule_order_reversed_changes_level():
    broad = Rule("tests/hidden/*", "visible")
    narrow = Rule("tests/hidden/toy/test_losses.py::*", "hidden")
    assert Policy(rules=(broad, narrow)).level(HIDDEN_LOSS) == "hidden"
    assert Policy(rules=(narrow, broad)).level(HIDDEN_LOSS) == "visible"


def test_rule_brackets_are_character_classes():
    parametrized = runner.RubricTest("tests/hidden/toy/test_losses.py::test_mse[2-3]", "test_mse[2-3]", "1.2", 1.0, "hidden")
    assert not Rule("tests/hidden/toy/test_losses.py::test_mse[2-3]", "visible").matches(parametrized)
    assert Rule("tests/hidden/toy/test_losses.py::test_mse[[]2-3]", "visible").matches(parametrized)
    assert Rule("tests/hidden/toy/test_losses.py::test_mse*", "visible").matches(parametrized)


def test_unmatched_rules_are_reported():
    typo = Rule("tests/hiden/*", "visible")
    used = Rule("1.2", "visible")
    policy = Policy(rules=(typo, used))
    assert policy.unmatched_rules([PUBLIC_LOSS, HIDDEN_LOSS]) == [typo]


BAD_POLICIES = [
    ('[default]\nhidden = "secret"\n', ["default.hidden", "'secret'", "visible, hidden, after_due_date, after_published"]),
    ('[[rule]]\nmatch = "1.2"\nvisibility = "public"\n', ["rule 1 visibility", "'public'", "after_due_date"]),
    ('dew = 2025-06-01T23:59:00Z\n', ["'dew'", "due, default, rule"]),
    ('[default]\nprivate = "hidden"\n', ["default.private", "public, hidden"]),
    ('[[rule]]\nmatch = "1.2"\nvisibility = "hidden"\n[[rule]]\nmatch = "1.3"\nlevel = "hidden"\n', ["rule 2", "'level'"]),
    ('[[rule]]\nvisibility = "hidden"\n', ["rule 1", "'match'"]),
    ('[[rule]]\nmatch = ""\nvisibility = "hidden"\n', ["rule 1 match", "''", "glob"]),
    ('due = 2025-06-01\n', ["2025-06-01", "no time of day", "due = 2025-06-01T23:59:00+02:00"]),
    ('due = "2025-06-01"\n', ["2025-06-01", "no time of day"]),
    ('due = "next friday"\n', ["'next friday'", "ISO 8601"]),
    ('due = 12\n', ["due 12", "not a datetime"]),
    ('[default]\nhidden = "after_due_date"\n', ["default.hidden", "after_due_date", "no due date", "due = "]),
    ('[[rule]]\nmatch = "2.*"\nvisibility = "after_due_date"\n', ["rule 1 ('2.*')", "no due date"]),
    ('default = "visible"\n', ["default must be a table", "[default]"]),
    ('rule = "1.2"\n', ["rule must be a list of tables", "[[rule]]"]),
    ('[default\n', ["invalid TOML"]),
]


@pytest.mark.parametrize("text, expected", BAD_POLICIES, ids=[f"case{index}" for index in range(len(BAD_POLICIES))])
def test_bad_policy_is_rejected(tmp_path, text, expected):
    path = write_policy(tmp_path, text)
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    message = str(caught.value)
    assert message.startswith(str(path)), message
    for part in expected:
        assert part in message, (part, message)


def test_missing_policy_file(tmp_path):
    with pytest.raises(PolicyError, match="policy file not found"):
        load_policy(tmp_path / "absent.toml")


# Message bounding


def test_bound_message_keeps_short_text():
    assert bound_message("AssertionError: shape (4, 1)\n  expected ()", VISIBLE_LIMIT) == "AssertionError: shape (4, 1)\n  expected ()"


def test_bound_message_cuts_with_marker():
    text = "x" * 5000
    bounded = bound_message(text, VISIBLE_LIMIT)
    assert len(bounded) <= VISIBLE_LIMIT
    head, marker = bounded.rsplit("\n", 1)
    assert marker == f"[… {5000 - len(head):,} characters cut]"
    assert set(head) == {"x"}
    assert len(head) > VISIBLE_LIMIT - 40


def test_bound_message_strips_escapes_and_controls():
    text = "\x1b[31mred\x1b[0m \x1b]8;;http://example.invalid\x07link\x1b]8;;\x07 bell\x07 nul\x00 back\x08 c1\x9b \u202eevil\r\nnext\rline\ttab"
    assert bound_message(text, VISIBLE_LIMIT) == "red link bell nul back c1 evil\nnext\nline\ttab"


def test_bound_message_on_huge_input_is_fast():
    text = "\x1b[1m" * 10 + "y" * 50_000_000
    started = time.perf_counter()
    bounded = bound_message(text, HIDDEN_LIMIT)
    assert time.perf_counter() - started < 0.5
    assert len(bounded) <= HIDDEN_LIMIT
    assert "characters cut]" in bounded
    assert "\x1b" not in bounded


def test_bound_message_rejects_tiny_limit():
    with pytest.raises(ValueError, match="limit"):
        bound_message("text", 10)


def test_short_message_is_first_line():
    message = "ValueError: logits must be 2-D, got shape (3,)\n\ndef test_hidden():\n    secret = 42"
    assert short_message(message) == "ValueError: logits must be 2-D, got shape (3,)"


def test_short_message_is_bounded():
    line = "AssertionError: " + "z" * 500
    shown = short_message(line)
    assert len(shown) <= HIDDEN_LIMIT
    assert shown.endswith("[… cut]")


def test_short_message_hides_assert_expression():
    assert short_message("assert tensor(0.5000) < 0.1\n +  where tensor(0.5000) = loss(x)") == "an assertion of this test failed"
    assert short_message("AssertionError: assert 3 == 4") == "an assertion of this test failed"


# Feedback files


def test_markdown_table_of_exercises():
    perceptron = runner.ExerciseResult(curriculum.by_id("1.1"), "timeout", [graded_test(HIDDEN_PERCEPTRON, "not run", "stopped")],
                                       120.0, "the tests of exercise 1.1 ran past 120 s and were stopped")
    dataset = runner.ExerciseResult(curriculum.by_id("1.3"), "out-of-memory", [], 5.0, "")
    result = submission(exercises=[perceptron, losses_exercise(public_message="", status="passed"), dataset])
    text = render_markdown(result, Policy(), AFTER)
    assert "# Feedback for alice" in text
    assert "**Total: 3/6 points**" in text
    assert "| exercise | title | points | status |" in text
    assert "| 1.1 | Perceptron | 0/3 | timed out: the tests were stopped at the time limit |" in text
    assert "| 1.2 | Loss functions | 3/3 | passed |" in text
    assert "| 1.3 | Points dataset | 0/0 | ran out of memory: the tests were stopped at the memory limit |" in text
    assert "## 1.2 Loss functions: 3/3 points" in text


def test_markdown_lists_tests_and_messages():
    result = submission(exercises=[losses_exercise(hidden_message="AssertionError: mse differs from torch\n" + HIDDEN_SECRET)])
    text = render_markdown(result, Policy(), BEFORE)
    assert "| ` tests/public/toy/test_losses.py::test_mse_shape ` | public | failed | 0/1 |" in text
    assert "| ` test_mse_matches_torch ` | hidden | failed | 0/2 |" in text
    assert "AssertionError: mse_loss returned shape (4, 1), expected ()" in text
    assert "AssertionError: mse differs from torch" in text
    assert HIDDEN_SECRET not in text
    assert "tests/hidden/toy/test_losses.py" not in text


def test_hidden_long_message_never_in_full():
    long_line = "AssertionError: " + "w" * 3000
    result = submission(exercises=[losses_exercise(hidden_message=long_line + "\n" + HIDDEN_SECRET)])
    for render in (render_markdown, render_html):
        text = render(result, Policy(), AFTER)
        assert HIDDEN_SECRET not in text, render.__name__
        assert "w" * (HIDDEN_LIMIT + 1) not in text, render.__name__
        assert "w" * 100 in text, render.__name__


def test_after_due_date_shows_hidden_message(tmp_path):
    policy = load_policy(write_policy(tmp_path, 'due = 2025-06-01T21:59:00Z\n[default]\nhidden = "after_due_date"\n'))
    result = submission(exercises=[losses_exercise(hidden_message="AssertionError: mse differs from torch\n" + HIDDEN_SECRET)])
    before = render_markdown(result, policy, BEFORE)
    after = render_markdown(result, policy, AFTER)
    assert HIDDEN_SECRET not in before
    assert "The full messages of 1 test are shown after 2025-06-01 21:59 UTC." in before
    assert HIDDEN_SECRET in after
    assert "shown after" not in after


def test_exercise_output_cut_when_tests_hidden():
    traceback = "pytest exited with code 3: INTERNALERROR\n    def test_mse_matches_torch(load):\n        expected = 0.25"
    result = submission(exercises=[losses_exercise(status="error", exercise_message=traceback)])
    hidden_text = render_markdown(result, Policy(), AFTER)
    assert "pytest exited with code 3: INTERNALERROR" in hidden_text
    assert "expected = 0.25" not in hidden_text
    visible_text = render_markdown(result, Policy(rules=(Rule("1.2", "visible"),)), AFTER)
    assert "expected = 0.25" in visible_text


def test_not_run_reason_given_once():
    reason = "toy/losses.py is missing from the submission"
    tests = [graded_test(PUBLIC_LOSS, "not run", reason), graded_test(HIDDEN_LOSS, "not run", reason)]
    result = submission(exercises=[runner.ExerciseResult(curriculum.by_id("1.2"), "missing", tests, 0.0, reason)])
    text = render_markdown(result, Policy(), AFTER)
    assert text.count(reason) == 1
    assert "module missing from the submission" in text


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>" onmouseover="alert(2)'


def test_html_escapes_hostile_text():
    result = submission(name=HOSTILE, exercises=[losses_exercise(public_message=HOSTILE, hidden_message=HOSTILE)],
                        message=HOSTILE, isolation=HOSTILE, environment={HOSTILE: HOSTILE})
    page = render_html(result, Policy(), AFTER)
    assert "<script" not in page.lower()
    assert "<img" not in page.lower()
    assert 'onmouseover="' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "default-src 'none'" in page
    assert page.startswith("<!DOCTYPE html>")


def test_markdown_keeps_hostile_text_inert():
    message = "AssertionError: see ![tracker](http://example.invalid/t.png)\n```\n<script>alert(1)</script>\n```"
    result = submission(name="[click](http://example.invalid) <b>", exercises=[losses_exercise(public_message=message)])
    text = render_markdown(result, Policy(), AFTER)
    assert "# Feedback for \\[click\\]\\(http://example.invalid\\) \\<b\\>" in text
    # The message sits in a fence longer than any backtick run inside it, so none of it renders as Markdown.
    lines = text.split("\n")
    start = lines.index("AssertionError: see ![tracker](http://example.invalid/t.png)") - 1
    assert lines[start] == "````"
    assert lines[start + 5] == "````"


def test_feedback_shows_how_it_ran():
    result = submission(exercises=[losses_exercise()], isolation="bubblewrap", content_hash="3f2a9c",
                        environment={"python": "3.11.9", "torch": "2.14.1"}, flags=["imports pytest"])
    text = render_markdown(result, Policy(), AFTER)
    assert "- isolation: bubblewrap" in text
    assert "- content hash: 3f2a9c" in text
    assert "- python: 3.11.9" in text
    assert "- torch: 2.14.1" in text


def test_write_feedback_writes_both_files(tmp_path):
    result = submission(exercises=[losses_exercise()])
    markdown_path, html_path = write_feedback(result, tmp_path / "out" / "alice", Policy(), AFTER)
    assert markdown_path == tmp_path / "out" / "alice" / "feedback.md"
    assert html_path == tmp_path / "out" / "alice" / "feedback.html"
    assert markdown_path.read_text(encoding="utf-8") == render_markdown(result, Policy(), AFTER)
    assert "isolation" not in markdown_path.read_text(encoding="utf-8")
    assert "<h1>Feedback for alice</h1>" in html_path.read_text(encoding="utf-8")


# Progress line


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def exercise(status, exercise_id="1.2"):
    return runner.ExerciseResult(curriculum.by_id(exercise_id), status, [], 1.0, "")


def test_format_duration():
    assert format_duration(40.4) == "40 s"
    assert format_duration(240) == "4 min"
    assert format_duration(3900) == "1 h 05 min"
    assert format_duration(-3) == "0 s"


def test_progress_terminal_redraws_line():
    clock, stream = FakeClock(), FakeTerminal()
    progress = Progress(40, submissions=10, stream=stream, clock=clock)
    assert progress.terminal
    for index in range(12):
        clock.now += 10
        progress.update(f"s{index % 3}", exercise("failed" if index < 3 else "passed"))
    assert progress.graded == 12
    assert progress.failed == 3
    assert progress.left == 28
    assert progress.line() == "[###-------] 12/40 graded · 3 not passed · 28 left · about 5 min left"
    assert stream.getvalue().count("\r") == 12
    assert "\n" not in stream.getvalue()
    assert stream.getvalue().endswith("\r" + progress.line())


def test_progress_terminal_pads_shorter_line():
    clock, stream = FakeClock(), FakeTerminal()
    progress = Progress(2, stream=stream, clock=clock)
    clock.now += 100
    progress.update("a", exercise("passed"))
    first = progress.line()
    clock.now += 1
    progress.update("a", exercise("passed"))
    second = progress.line()
    assert len(second) < len(first)
    assert stream.getvalue().endswith("\r" + second + " " * (len(first) - len(second)))


def test_progress_plain_prints_every_ten_percent():
    clock, stream = FakeClock(), io.StringIO()
    progress = Progress(100, stream=stream, clock=clock)
    assert not progress.terminal
    for _ in range(100):
        clock.now += 1
        progress.update("alice", exercise("passed"))
    progress.close()
    lines = stream.getvalue().splitlines()
    assert "\r" not in stream.getvalue()
    assert len(lines) == 10  # at 10%, 20%, ... 90%, then the summary
    assert lines[0].startswith("[#---------] 10/100 graded")
    assert lines[-1] == "100/100 graded · 0 not passed · 1 submission · done in 2 min"


def test_progress_plain_prints_after_interval():
    clock, stream = FakeClock(), io.StringIO()
    progress = Progress(1000, stream=stream, clock=clock, interval=60)
    progress.update("alice", exercise("failed"))
    assert stream.getvalue() == ""
    clock.now += 61
    progress.update("alice", exercise("passed"))
    assert stream.getvalue() == "[----------] 2/1000 graded · 1 not passed · 998 left · about 8 h 27 min left\n"
    clock.now += 30
    progress.update("bob", exercise("passed"))
    assert stream.getvalue().count("\n") == 1


def test_progress_close_once_and_ignores_late_updates():
    clock, stream = FakeClock(), io.StringIO()
    with Progress(4, submissions=2, stream=stream, clock=clock) as progress:
        clock.now += 30
        progress.update("alice", exercise("timeout"))
        progress.update("alice", exercise("passed"))
    progress.close()
    progress.update("bob", exercise("passed"))
    assert progress.graded == 2
    lines = stream.getvalue().splitlines()
    assert len(lines) == 3  # each update is a quarter of the tasks, then the summary
    assert lines[-1] == "2/4 graded · 1 not passed · 2 submissions · 2 not graded · done in 30 s"


def test_progress_terminal_close_ends_line():
    clock, stream = FakeClock(), FakeTerminal()
    progress = Progress(1, stream=stream, clock=clock)
    clock.now += 5
    progress.update("alice", exercise("passed"))
    progress.close()
    assert stream.getvalue().endswith("[##########] 1/1 graded · 0 not passed · 0 left\n1/1 graded · 0 not passed · 1 submission · done in 5 s\n")


def test_progress_counts_from_threads():
    stream = FakeTerminal()
    progress = Progress(800, stream=stream)
    barrier = threading.Barrier(8)

    def work(worker):
        barrier.wait()
        for index in range(100):
            progress.update(f"s{worker}", exercise("failed" if index % 4 == 0 else "passed"))

    threads = [threading.Thread(target=work, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    progress.close()
    assert progress.graded == 800
    assert progress.failed == 200
    assert progress.seen_submissions == {f"s{worker}" for worker in range(8)}
    assert re.search(r"800/800 graded · 200 not passed · 8 submissions · done in \d+ s\n$", stream.getvalue())
