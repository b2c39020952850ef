"""The rubric: its model, rules and conditions, observations, points and scoring, its file forms."""
