"""nbgrader settings for the course notebooks. Run nbgrader from this folder, for example ``nbgrader generate_assignment part1_toy``.

This folder is the nbgrader course directory: the notebooks with reference answers are
``source/<assignment>/<notebook>.ipynb``, and nbgrader writes ``release/``, ``submitted/``,
``autograded/``, ``feedback/`` and ``gradebook.db`` beside them.
"""

c = get_config()  # noqa: F821 (nbgrader defines get_config when it loads this file)
c.CourseDirectory.course_id = "plant-dl"
