"""The captcha pool: drawn ahead by a worker job, handed out bound to a site, refilled."""

from __future__ import annotations

import time

import pytest
from rq import Queue, SimpleWorker

from commentgate.captcha import CaptchaKind, CaptchaService, captcha_key, pool_key, pooled_key
from commentgate.captcha_pool import REFILL_FLAG, ask_for_refill, fill
from commentgate.queue import REFILL_CAPTCHAS_ID
from commentgate.storage.db import transaction
from commentgate.storage.sites import ensure_site
from service.app import create_app
from tests.helpers import comment_fields, redis_commands
from workers import captcha_pool as captcha_pool_job
from workers.runtime import install, runtime_for

POOL = 6


@pytest.fixture
def pool_settings(settings):
    return settings.model_copy(update={"captcha_pool_size": POOL, "captcha_pool_low_water": 3})


@pytest.fixture
def pooled_app(pool_settings, redis_client, sessions, site):
    return create_app(pool_settings, redis_client=redis_client, sessions=sessions)


@pytest.fixture
def filled(redis_client, pool_settings):
    captchas = CaptchaService(redis_client, pool_settings.captcha_ttl_seconds, pooled=False)
    fill(redis_client, captchas, CaptchaKind.IMAGE, POOL)


def issue(client, site="demo", kind="image"):
    return client.post("/api/v1/captchas", query_string={"site": site}, json={"kind": kind})


def post_comment(client, captcha_id, answer, site="demo"):
    body = comment_fields(site=site, captcha_id=captcha_id, captcha_answer=answer)
    return client.post("/api/v1/comments", json=body)


def test_a_pooled_captcha_is_handed_out_with_its_stored_picture(pooled_app, redis_client, filled):
    first = redis_client.lindex(pool_key(CaptchaKind.IMAGE), 0).decode()
    drawn = redis_client.hget(pooled_key(first), "image")
    client = pooled_app.test_client()
    issued = issue(client)
    assert issued.status_code == 201 and issued.json["id"] == first
    picture = client.get(f"/api/v1/captchas/{first}/image.png", query_string={"site": "demo"})
    assert picture.status_code == 200 and picture.data == drawn
    assert redis_client.llen(pool_key(CaptchaKind.IMAGE)) == POOL - 1
    assert not redis_client.exists(pooled_key(first))
    assert 0 < redis_client.ttl(captcha_key(first)) <= 600


def test_a_pooled_captcha_is_not_live_before_it_is_handed_out(pooled_app, redis_client, filled):
    waiting = redis_client.lindex(pool_key(CaptchaKind.IMAGE), 0).decode()
    client = pooled_app.test_client()
    picture = client.get(f"/api/v1/captchas/{waiting}/image.png", query_string={"site": "demo"})
    assert picture.status_code == 404
    assert post_comment(client, waiting, "AAAAA").status_code == 422


def test_a_pooled_captcha_answers_once_and_only_for_its_site(
    pooled_app, redis_client, sessions, filled
):
    with transaction(sessions) as session:
        ensure_site(session, "other")
    client = pooled_app.test_client()
    svc = pooled_app.extensions["commentgate"]
    mine = issue(client).json["id"]
    answer = svc.captchas.answer(mine)
    assert post_comment(client, mine, answer, site="other").status_code == 422  # bound to demo
    theirs = issue(client, site="other").json["id"]
    assert post_comment(client, theirs, svc.captchas.answer(theirs)).status_code == 422
    again = issue(client).json["id"]
    answer = svc.captchas.answer(again)
    assert post_comment(client, again, answer).status_code == 202
    assert post_comment(client, again, answer).status_code == 422  # used


def test_an_empty_pool_falls_back_to_drawing_on_demand(pooled_app, redis_client):
    client = pooled_app.test_client()
    issued = issue(client)
    assert issued.status_code == 201
    captcha_id = issued.json["id"]
    picture = client.get(f"/api/v1/captchas/{captcha_id}/image.png", query_string={"site": "demo"})
    assert picture.status_code == 200 and picture.data.startswith(b"\x89PNG")
    answer = pooled_app.extensions["commentgate"].captchas.answer(captcha_id)
    assert post_comment(client, captcha_id, answer).status_code == 202


def test_an_audio_captcha_comes_from_its_own_pool(pooled_app, redis_client, pool_settings):
    captchas = CaptchaService(redis_client, 600, pooled=False)
    fill(redis_client, captchas, CaptchaKind.AUDIO, 2)
    client = pooled_app.test_client()
    issued = issue(client, kind="audio")
    assert issued.status_code == 201 and "audio_url" in issued.json
    assert redis_client.llen(pool_key(CaptchaKind.AUDIO)) == 1
    answer = pooled_app.extensions["commentgate"].captchas.answer(issued.json["id"])
    assert answer.isdigit() and len(answer) == 7
    sound = client.get(f"/api/v1/captchas/{issued.json['id']}/audio.wav?site=demo")
    assert sound.status_code == 200 and sound.data.startswith(b"RIFF")


def test_a_pool_below_its_low_water_mark_is_refilled_by_one_job(
    pooled_app, pool_settings, redis_client, sessions
):
    client = pooled_app.test_client()
    for _ in range(3):
        assert issue(client).status_code == 201
    queue = Queue("moderation", connection=redis_client)
    assert queue.job_ids == [REFILL_CAPTCHAS_ID]  # asked once, however many issues
    install(runtime_for(pool_settings, sessions, redis_client))
    try:
        SimpleWorker([queue], connection=redis_client).work(burst=True)
    finally:
        install(None)
    assert redis_client.llen(pool_key(CaptchaKind.IMAGE)) == POOL
    assert redis_client.llen(pool_key(CaptchaKind.AUDIO)) == POOL
    scraped = client.get("/metrics").get_data(as_text=True)
    assert f'commentgate_captcha_pool{{kind="image"}} {POOL:.1f}' in scraped
    issued = issue(client).json["id"]
    assert issued.encode() not in redis_client.lrange(pool_key(CaptchaKind.IMAGE), 0, -1)
    assert redis_client.llen(pool_key(CaptchaKind.IMAGE)) == POOL - 1
    assert queue.job_ids == []  # still above the low-water mark: nothing asked


def test_the_refill_goes_ahead_of_waiting_comments(pooled_app, redis_client):
    client = pooled_app.test_client()
    queue = Queue("moderation", connection=redis_client)
    queue.enqueue("workers.jobs.moderate_comment", "waiting", job_id="moderate-waiting")
    assert issue(client).status_code == 201
    assert queue.job_ids == [REFILL_CAPTCHAS_ID, "moderate-waiting"]


def test_a_refill_draws_only_within_its_time(redis_client):
    captchas = CaptchaService(redis_client, 600, pooled=False)
    assert fill(redis_client, captchas, CaptchaKind.IMAGE, 50, until=time.monotonic()) == 0
    assert fill(redis_client, captchas, CaptchaKind.IMAGE, 3, until=time.monotonic() + 60) == 3
    assert fill(redis_client, captchas, CaptchaKind.IMAGE, 3) == 0  # full already


def test_a_refill_that_leaves_the_pool_short_queues_its_next_slice_behind_comments(
    pool_settings, redis_client, sessions, monkeypatch
):
    queue = Queue("moderation", connection=redis_client)
    assert ask_for_refill(redis_client, queue, left=0, low_water=3)
    queue.enqueue("workers.jobs.moderate_comment", "waiting", job_id="moderate-waiting")
    install(runtime_for(pool_settings, sessions, redis_client))
    try:
        monkeypatch.setattr(captcha_pool_job, "REFILL_SECONDS", 0.0)  # a slice that draws none
        assert captcha_pool_job.refill_captchas() == 0
        assert queue.job_ids[1] == "moderate-waiting"  # the next slice waits behind it
        assert queue.job_ids[2].startswith(f"{REFILL_CAPTCHAS_ID}-")
        assert redis_client.exists(REFILL_FLAG)  # so issues ask for no other refill
        monkeypatch.undo()
        assert captcha_pool_job.refill_captchas() == 2 * POOL
    finally:
        install(None)
    assert redis_client.llen(pool_key(CaptchaKind.IMAGE)) == POOL
    assert not redis_client.exists(REFILL_FLAG)  # full: the next low pool asks again
    assert len(queue.job_ids) == 3  # and no slice came after the one that filled it


def test_a_pooled_captcha_and_its_picture_cost_one_round_trip_each(pooled_app, settings, filled):
    # Each request's limits and its captcha step (the take, the read) are one script.
    client = pooled_app.test_client()
    issue(client)  # the scripts are loaded once per process
    with redis_commands(settings.redis_url) as seen:
        issued = issue(client)
    assert issued.status_code == 201 and seen == ["EVALSHA"], seen
    path = f"/api/v1/captchas/{issued.json['id']}/image.png"
    with redis_commands(settings.redis_url) as seen:
        picture = client.get(path, query_string={"site": "demo"})
    assert picture.status_code == 200 and picture.data.startswith(b"\x89PNG"), picture.data[:8]
    assert seen == ["EVALSHA"], seen


@pytest.mark.parametrize(
    ("query", "body", "status"),
    [
        ({"site": "nowhere"}, {"kind": "image"}, 404),  # no such site
        ({"site": "demo"}, {"kind": "image", "site": "other"}, 422),  # two sites
        ({"site": "demo"}, {"kind": "video"}, 422),
    ],
)
def test_a_refused_issue_request_takes_nothing_from_the_pool(
    pooled_app, redis_client, filled, query, body, status
):
    reply = pooled_app.test_client().post("/api/v1/captchas", query_string=query, json=body)
    assert reply.status_code == status, reply.json
    assert redis_client.llen(pool_key(CaptchaKind.IMAGE)) == POOL


def test_an_issue_request_over_its_limit_takes_nothing_from_the_pool(
    pool_settings, redis_client, sessions, site, filled
):
    limited = pool_settings.model_copy(update={"rate_limits": "2/minute"})
    client = create_app(limited, redis_client=redis_client, sessions=sessions).test_client()
    assert [issue(client).status_code for _ in range(3)] == [201, 201, 429]
    assert redis_client.llen(pool_key(CaptchaKind.IMAGE)) == POOL - 2
