"""Intake: readers' comments arrive, are validated, stored and queued for scoring."""
