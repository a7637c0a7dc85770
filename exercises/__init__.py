"""Exercises of the "Deep Learning, a cooking guide" course: toy practical, plant species practical, bonus."""
