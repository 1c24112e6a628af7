"""``make bench``: the service's performance targets, each against a baseline of the same run.

Everything runs on loopback: a private redis-server, a SQLite file in a temporary
directory and a database of its own on the machine's PostgreSQL, ``commentgate web``
and ``commentgate worker`` started as production starts them, and a baseline Flask app
(:mod:`bench.harness.baseline`) under the same gunicorn settings. See bench/README.md.
"""
