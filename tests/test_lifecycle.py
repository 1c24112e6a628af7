"""Every status change a comment may (and may not) go through, walked from the table."""

from itertools import product

import pytest

from commentgate.comments.transitions import ALLOWED, check_transition
from commentgate.domain import CommentStatus
from commentgate.errors import TransitionRefusedError

# Written out here rather than read from the code: the table is the contract.
EXPECTED = {
    "received": {"pending", "spam", "approved", "rejected"},
    "pending": {"approved", "rejected", "spam"},
    "approved": {"approved", "rejected", "spam", "pending"},
    "rejected": {"approved", "rejected", "spam", "pending"},
    "spam": {"approved", "rejected", "spam", "received", "pending"},
}
PAIRS = list(product([s.value for s in CommentStatus], repeat=2))


def test_the_table_names_every_status_and_only_these_changes():
    assert {s.value for s in ALLOWED} == set(EXPECTED) == {s.value for s in CommentStatus}
    assert {f.value: {t.value for t in to} for f, to in ALLOWED.items()} == EXPECTED


@pytest.mark.parametrize(("before", "after"), [p for p in PAIRS if p[1] in EXPECTED[p[0]]])
def test_allowed_change_passes(before, after):
    check_transition(before, after)


@pytest.mark.parametrize(("before", "after"), [p for p in PAIRS if p[1] not in EXPECTED[p[0]]])
def test_refused_change_raises(before, after):
    with pytest.raises(TransitionRefusedError):
        check_transition(before, after)


def test_walk_covers_every_pair():
    allowed = sum(after in EXPECTED[before] for before, after in PAIRS)
    assert len(PAIRS) == 25 and allowed == 20 and len(PAIRS) - allowed == 5
