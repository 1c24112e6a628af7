"""Stateless checks: each takes a submission and the site's rules and returns reasons."""
