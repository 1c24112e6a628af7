"""Storage: SQLAlchemy models, repositories and Alembic migrations.

Flask-free so that web processes, workers and the CLI share it.
"""
