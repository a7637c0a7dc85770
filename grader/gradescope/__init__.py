"""``grader gradescope``: build the autograder zip that Gradescope runs for each student upload.

``package`` writes the zip (the kit's grading files, ``setup.sh`` and
``run_autograder``); ``autograder`` is what ``run_autograder`` calls inside
Gradescope's container to grade ``/autograder/submission``.
"""
