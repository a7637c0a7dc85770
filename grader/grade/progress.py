"""A progress line for ``grader grade``: exercises graded, failed and left, and an estimate of the time left."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

BAR_WIDTH = 10
PLAIN_INTERVAL = 60.0  # seconds between two plain lines (not a terminal), unless another 10% of the tasks finished
PLAIN_STEP = 0.1  # fraction of the tasks after which a plain line is printed anyway


def format_duration(seconds: float) -> str:
    """Return a rounded duration such as ``40 s``, ``4 min`` or ``1 h 05 min``."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


class Progress:
    """Count finished exercise tasks of a grading batch and show a progress line on ``stream``.

    On a terminal the line is redrawn in place with ``\\r`` after every task. Elsewhere (a CI log, a file) a new
    line is printed at most every ``interval`` seconds, or when another ``step`` of the tasks finished, so a batch
    of any size writes about ``1 / step`` lines plus one per interval. ``update`` may be called from worker threads.

    The time left is estimated from the wall-clock time per finished task so far, which counts parallel jobs and
    the time spent preparing each task. With several jobs the first estimates run high, until the jobs overlap.
    """

    def __init__(self, total: int, submissions: int | None = None, stream: TextIO | None = None,
                 clock: Callable[[], float] = time.monotonic, interval: float = PLAIN_INTERVAL, step: float = PLAIN_STEP,
                 terminal: bool | None = None) -> None:
        if total < 0:
            raise ValueError(f"total must be a count of tasks, got {total}")
        self.total = total
        self.submissions = submissions
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock
        self.interval = interval
        self.step = step
        if terminal is None:
            isatty = getattr(self.stream, "isatty", None)
            terminal = bool(isatty()) if callable(isatty) else False
        self.terminal = terminal

        self.graded = 0
        self.failed = 0
        self.seen_submissions: set[str] = set()
        self.started = clock()
        self.closed = False
        self._lock = threading.Lock()
        self._last_printed_at = self.started
        self._last_printed_count = 0
        self._drawn_width = 0

    @property
    def left(self) -> int:
        return max(0, self.total - self.graded)

    def estimate_left(self) -> float | None:
        """Return the estimated seconds until every task is graded, or ``None`` before the first task finishes."""
        if self.graded == 0:
            return None
        per_task = (self.clock() - self.started) / self.graded
        return per_task * self.left

    def line(self) -> str:
        """Return the progress line, e.g. ``[###-------] 12/40 graded · 3 not passed · 28 left · about 4 min left``."""
        fraction = 1.0 if self.total == 0 else min(1.0, self.graded / self.total)
        filled = round(fraction * BAR_WIDTH)
        parts = [f"[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {self.graded}/{self.total} graded",
                 f"{self.failed} not passed", f"{self.left} left"]
        estimate = self.estimate_left()
        if self.left and estimate is not None:
            parts.append(f"about {format_duration(estimate)} left")
        return " · ".join(parts)

    def final_line(self) -> str:
        """Return the summary printed by ``close``, e.g. ``40/40 graded · 3 not passed · 10 submissions · done in 4 min``."""
        parts = [f"{self.graded}/{self.total} graded", f"{self.failed} not passed"]
        submissions = self.submissions if self.submissions is not None else len(self.seen_submissions)
        parts.append(f"{submissions} submission{'' if submissions == 1 else 's'}")
        if self.left:
            parts.append(f"{self.left} not graded")
        parts.append(f"done in {format_duration(self.clock() - self.started)}")
        return " · ".join(parts)

    def plan(self, total: int) -> None:
        """Set the number of tasks once it is known, e.g. after submissions graded in an earlier run are left out."""
        with self._lock:
            self.total = max(0, total)

    def update(self, submission_name: str, exercise_result) -> None:
        """Count one finished task. An exercise whose ``status`` is anything but ``passed`` counts as failed."""
        with self._lock:
            if self.closed:
                return
            self.graded += 1
            if getattr(exercise_result, "status", None) != "passed":
                self.failed += 1
            self.seen_submissions.add(submission_name)
            if self.terminal:
                self._redraw(self.line())
            elif self._plain_line_due():
                self._print(self.line())

    def close(self) -> None:
        """Print the final line and ignore later updates. Calling it again does nothing."""
        with self._lock:
            if self.closed:
                return
            self.closed = True
            if self.terminal:
                self._redraw(self.line())
                self.stream.write("\n")
            self._print(self.final_line())

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _plain_line_due(self) -> bool:
        if self.graded >= self.total:
            return False  # close() prints the summary
        now = self.clock()
        if now - self._last_printed_at >= self.interval:
            return True
        return self.total > 0 and (self.graded - self._last_printed_count) / self.total >= self.step

    def _print(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()
        self._last_printed_at = self.clock()
        self._last_printed_count = self.graded

    def _redraw(self, text: str) -> None:
        # Spaces cover the rest of a longer previous line, with no terminal escape needed.
        padding = " " * max(0, self._drawn_width - len(text))
        self.stream.write(f"\r{text}{padding}")
        self.stream.flush()
        self._drawn_width = len(text)
