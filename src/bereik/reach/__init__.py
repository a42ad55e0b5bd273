"""Reach: a call simulator, the scheduling policies it compares, and the planner built on it."""
