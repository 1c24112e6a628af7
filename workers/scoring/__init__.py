"""Stateless spam scoring: checks that explain themselves, plus a learning model."""
