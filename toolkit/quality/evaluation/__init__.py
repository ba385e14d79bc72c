"""Evaluations against labelled data, printed as JSON lines by `toolkit eval ...`: one module per task."""
