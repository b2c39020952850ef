"""Qt models that present core objects (evaluations, rubrics) to views."""
