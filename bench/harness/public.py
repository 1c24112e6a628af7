"""Public reads: a hot article's approved page, against the same page read cold.

Articles of ten approved comments each are written straight into the database. Cached:
one article read over and over (the first read fills any cache). Uncached: every other
article read once, so no read can be served from a cache, whatever its key is.
"""

from __future__ import annotations

from sqlalchemy import insert

from bench.harness import wrk
from bench.harness.load import Call
from bench.harness.plan import Plan
from bench.harness.table import Row, judged, ratio
from bench.harness.world import SITE, World, world
from commentgate.storage.db import make_session_factory
from commentgate.storage.models import Comment
from commentgate.storage.sites import get_site

TARGET, PER_ARTICLE = 3.0, 10


def run(plan: Plan) -> list[Row]:
    """The public page rows."""
    with world(plan.main_backend) as here:
        return _measure(plan, here)


def _measure(plan: Plan, here: World) -> list[Row]:
    part, seconds = f"public ({here.backend})", plan.load_seconds
    articles = 100 if plan.quick else 3000
    _seed(here, articles)
    web = here.start_web()
    page = [_page(0)]
    wrk.closed(web, page, "cycle", 1)  # warm: the first read of the hot article fills its cache
    cached = wrk.closed(web, page, "cycle", seconds)
    cold = wrk.closed(web, [_page(i) for i in range(1, articles)], "once", seconds)
    share = ratio(cached.rate, cold.rate)
    return [
        Row(part, f"uncached: {cold.done} articles each read once", f"{cold.rate:,.0f} req/s"),
        judged(
            part,
            f"cached: one article read again and again ({PER_ARTICLE} comments)",
            f"{cached.rate:,.0f} req/s = {share:.2f}× uncached"
            + (f", {cached.errors + cold.errors} errors" if cached.errors + cold.errors else ""),
            f"≥ {TARGET:g}×",
            share >= TARGET and cached.errors + cold.errors == 0,
        ),
    ]


def _page(article: int) -> Call:
    return Call("GET", f"/api/v1/comments?site={SITE}&article=article-{article}")


def _seed(here: World, articles: int) -> None:
    with make_session_factory(here.engine())() as session:
        site_id = get_site(session, SITE).id
        rows = [
            {
                "site_id": site_id,
                "article": f"article-{a}",
                "name": "Lê Thị Hoa",
                "title": f"Ý kiến {n}",
                "content": f"Bình luận {n} của bài {a}: bài viết rất hay, cảm ơn tác giả.",
                "status": "approved",
            }
            for a in range(articles)
            for n in range(PER_ARTICLE)
        ]
        session.execute(insert(Comment), rows)
        session.commit()
