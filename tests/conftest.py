"""Shared fixtures for the public, hidden and kit tests. The exercise plugin is loaded from the pytest configuration."""

# Submission folders graded by the kit tests, never collected as tests: the hostile ones ship a conftest.py
# that forces every test to pass, which must only ever run inside the grader's sandbox.
collect_ignore = ["kit/hostile", "kit/corpus"]
