"""Near-duplicates and bursts, remembered in a real Redis."""

import hashlib
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workers.recent import MIN_TOKENS, NEAR_BITS, RecentActivity, simhash, trace_of
from workers.scoring.normalize import canonical, words

SPAM = "Ủng hộ ứng viên Trần Văn Hùng vào hội đồng nhân dân phường 7, người tử tế và tận tâm nhất"


class Clock:
    def __init__(self):
        self.now = 1_700_000_000.0

    def __call__(self):
        return self.now


def codes(reasons):
    return [str(getattr(r.code, "value", r.code)) for r in reasons]


def test_simhash_sees_through_small_edits_and_evasions():
    edited = SPAM.replace("phường 7", "phường 9").upper()
    assert (simhash(SPAM) ^ simhash(edited)).bit_count() <= NEAR_BITS
    other = "Đường Nguyễn Trãi chiều nay kẹt xe kinh khủng, mong thành phố sớm có giải pháp."
    assert (simhash(SPAM) ^ simhash(other)).bit_count() > 2 * NEAR_BITS
    assert simhash("Bài viết hay quá") is None


def test_same_text_on_other_articles_is_a_duplicate(redis_client):
    recent = RecentActivity(redis_client, Clock())
    assert recent.reasons("s1", trace_of("c1", SPAM, "ip-1", "a1")) == []
    second = recent.reasons("s1", trace_of("c2", SPAM, "ip-2", "a2"))
    assert codes(second) == ["duplicate"]
    third = recent.reasons("s1", trace_of("c3", SPAM, "ip-3", "a3"))
    assert third[0].weight > second[0].weight


def test_duplicates_are_per_site_and_expire(redis_client):
    clock = Clock()
    recent = RecentActivity(redis_client, clock)
    recent.reasons("s1", trace_of("c1", SPAM, "ip-1", "a1"))
    assert recent.reasons("s2", trace_of("c2", SPAM, "ip-2", "a2")) == []
    clock.now += 25 * 3600
    assert recent.reasons("s1", trace_of("c3", SPAM, "ip-3", "a3")) == []


def test_bursts_from_one_author_cost_after_three(redis_client):
    clock = Clock()
    recent = RecentActivity(redis_client, clock)
    texts = [
        f"Bình luận số {i} về chuyện giao thông và thời tiết ở thành phố hôm nay" for i in range(6)
    ]
    found = []
    for i, text in enumerate(texts):
        clock.now += 10
        found.append(
            codes(recent.reasons("s1", trace_of(f"c{i}", text + " x" * i, "ip-1", f"a{i}")))
        )
    assert [("velocity" in c) for c in found] == [False, False, False, True, True, True]
    clock.now += 700
    assert "velocity" not in codes(recent.reasons("s1", trace_of("c9", "khác hẳn", "ip-1", "a9")))


def test_redis_down_means_no_reasons_not_a_crash():
    import redis

    from tests.services import free_port

    dead = redis.Redis(port=free_port(), socket_connect_timeout=0.2)
    assert RecentActivity(dead).reasons("s1", trace_of("c1", SPAM, "ip", "a")) == []


def _simhash_by_definition(text: str) -> int | None:
    """SimHash written out bit by bit, as the definition reads."""
    tokens = words(canonical(text))
    if len(tokens) < MIN_TOKENS:
        return None
    joined, totals = " ".join(tokens), [0] * 64
    for start in range(len(joined) - 3):
        gram = joined[start : start + 4].encode()
        digest = int.from_bytes(hashlib.blake2b(gram, digest_size=8).digest(), "big")
        for bit in range(64):
            totals[bit] += 1 if digest >> bit & 1 else -1
    return sum(1 << bit for bit in range(64) if totals[bit] > 0)


# Words of any characters (most texts reach MIN_TOKENS), joined by spaces.
TEXTS = st.lists(st.text(st.characters(codec="utf-8"), min_size=1, max_size=9), max_size=40)


@settings(max_examples=200, deadline=None)
@given(TEXTS.map(" ".join))
def test_simhash_is_the_definition_computed_by_rows(text):
    assert simhash(text) == _simhash_by_definition(text)


def test_simhash_reads_vietnamese_characters_not_bytes():
    text = "Bài viết rất hay, cảm ơn tác giả đã phản ánh kịp thời tình hình giao thông"
    assert simhash(text) == _simhash_by_definition(text) is not None


# Comments drawn from a few texts, authors and articles, some scored twice.
SCORINGS = st.lists(
    st.tuples(
        st.integers(0, 12),  # comment
        st.sampled_from([SPAM, SPAM.replace("phường 7", "phường 9"), SPAM[::-1], "Hay quá"]),
        st.integers(0, 2),  # author
        st.integers(0, 3),  # article
    ),
    max_size=30,
)


# Each example uses sites of its own, so the fixtures' Redis may be shared between them.
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(SCORINGS)
def test_a_view_kept_in_step_gives_what_reading_redis_each_time_gives(
    redis_client, monkeypatch, scorings
):
    monkeypatch.setattr("workers.recent.SCAN", 5)  # so that the oldest traces drop out too
    clock, run = Clock(), str(uuid.uuid4())
    kept = RecentActivity(redis_client, clock, keep_view=True)
    read = RecentActivity(redis_client, clock)
    for comment, text, author, article in scorings:
        clock.now += 1
        trace = trace_of(f"c{comment}", text, f"author-{author}", f"a{article}")
        assert kept.reasons(f"kept-{run}", trace) == read.reasons(f"read-{run}", trace)
