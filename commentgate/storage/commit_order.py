"""Reading an append-only log from a cursor without skipping rows that commit late.

The events feed and the decision log are read as "everything after position N". On
PostgreSQL an id comes from a sequence when the row is inserted, not when its
transaction commits: a transaction can take id 7, stay open while another commits id
8 and a reader moves its cursor past 8, then commit 7 behind the cursor, where no
reader would ever look.

So each row also records the id of the transaction that inserted it (``txid``), and a
reader takes only rows whose transaction is older than the oldest one still running
(the xmin of the reading statement's own snapshot): every such transaction has ended,
and any row that becomes visible later belongs to a transaction at least that new.
Ordered by (txid, id), a log read this way only ever grows at its end, which is
exact, not a guess at how late a commit can be. A transaction left open on the server
(any database on it) delays what readers are handed until it ends; it never makes
them skip anything.

SQLite lets one writer in at a time, from its first write to its commit, so there ids
are already in commit order: txid is 0 and every committed row is settled.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import BigInteger, ColumnElement, and_, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

# Larger than any transaction id: on SQLite every committed row is settled.
_NO_RUNNING_TRANSACTION = 2**63 - 1


class current_txid(FunctionElement[int]):  # noqa: N801 (a SQL function, named as one)
    """The id of the transaction running the statement (PostgreSQL; 0 on SQLite)."""

    type = BigInteger()
    inherit_cache = True


class oldest_running_txid(FunctionElement[int]):  # noqa: N801
    """Every transaction with a smaller id has ended, as of the statement's snapshot."""

    type = BigInteger()
    inherit_cache = True


@compiles(current_txid)
def _current_txid(element: Any, compiler: Any, **kw: Any) -> str:
    return "0"


@compiles(current_txid, "postgresql")
def _current_txid_pg(element: Any, compiler: Any, **kw: Any) -> str:
    # xid8 (PostgreSQL 13+): 64 bits with the epoch, so it never wraps round.
    return "(CAST(CAST(pg_current_xact_id() AS text) AS bigint))"


@compiles(oldest_running_txid)
def _oldest_running(element: Any, compiler: Any, **kw: Any) -> str:
    return str(_NO_RUNNING_TRANSACTION)


@compiles(oldest_running_txid, "postgresql")
def _oldest_running_pg(element: Any, compiler: Any, **kw: Any) -> str:
    return "(CAST(CAST(pg_snapshot_xmin(pg_current_snapshot()) AS text) AS bigint))"


class LogPosition(NamedTuple):
    """Where a reader of a log is: after the row (txid, id)."""

    txid: int = 0
    id: int = 0


LOG_START = LogPosition()


def settled(txid: ColumnElement[int]) -> ColumnElement[bool]:
    """Rows no transaction can commit before any more: safe to hand out in order."""
    return txid < oldest_running_txid()


def after(txid: ColumnElement[int], id_: ColumnElement[int], position: LogPosition):
    """Rows after ``position`` in (txid, id) order."""
    return or_(txid > position.txid, and_(txid == position.txid, id_ > position.id))
