"""A site's ``abuse_action``: abuse waits for a moderator (flag) or is rejected by the worker."""

import json

import pytest
from click.testing import CliRunner

from commentgate.domain import ModerationMode
from commentgate.queue import NOTIFY_JOB
from commentgate.storage.db import transaction
from commentgate.storage.models import AuditEntry, Comment, Decision, Site
from commentgate.storage.sites import ensure_site
from launch import main
from tests.helpers import auth, make_key, submit_ok
from tests.test_cli import env_for
from workers.jobs import score_comment

ABUSIVE = "Thằng ngu này bình luận như đúng rồi, đồ s.ú.c v.ậ.t"
CLEAN = "Bài viết hay, phân tích rất đúng bản chất vấn đề, cảm ơn tác giả."


def post_site(sessions, abuse_action: str) -> None:
    """The demo site, post-moderated (clean comments are published at once)."""
    with transaction(sessions) as session:
        site = ensure_site(session, "demo", mode=ModerationMode.POST)[0]
        site.abuse_action = abuse_action


def scored(client, app, worker, sessions, content: str) -> Comment:
    comment_id = submit_ok(client, app, content=content)
    with transaction(sessions) as session:  # typed for a human half-minute
        session.get(Comment, comment_id).submit_seconds = 30.0
    score_comment(worker.runtime, comment_id)
    with sessions() as session:
        comment = session.get(Comment, comment_id)
        session.expunge(comment)
        return comment


def webhooks_queued(worker, comment_id: str) -> list:
    jobs = worker.runtime.queue.jobs
    return [job for job in jobs if job.func_name == NOTIFY_JOB and job.args[0] == comment_id]


def audit_of(sessions, comment_id: str) -> list[tuple]:
    with sessions() as session:
        rows = session.query(AuditEntry).filter_by(target_id=comment_id).all()
        return [(e.action, e.actor_key_id, e.reason, e.detail) for e in rows]


def test_reject_rejects_abuse_for_abuse_audited_and_unannounced(client, app, worker, sessions):
    post_site(sessions, "reject")
    comment = scored(client, app, worker, sessions, ABUSIVE)
    assert comment.status == "rejected" and comment.decision_reason == "abuse"
    assert comment.decided_by is None and comment.decided_at is not None
    assert ",abuse," in comment.reason_codes
    assert audit_of(sessions, comment.id) == [
        ("comment.abuse_reject", None, "abuse", {"from": "received", "to": "rejected"})
    ]
    with sessions() as session:  # no key decided it: the decision log is the moderators'
        assert session.query(Decision).filter_by(comment_id=comment.id).count() == 0
    assert webhooks_queued(worker, comment.id) == []
    # the same site publishes a clean comment, and that is announced
    clean = scored(client, app, worker, sessions, CLEAN)
    assert clean.status == "approved" and len(webhooks_queued(worker, clean.id)) == 1


def test_flag_holds_abuse_with_its_reason_on_a_post_moderated_site(client, app, worker, sessions):
    post_site(sessions, "flag")
    comment = scored(client, app, worker, sessions, ABUSIVE)
    assert comment.status == "pending" and comment.decision_reason is None
    assert ",abuse," in comment.reason_codes
    assert audit_of(sessions, comment.id) == []
    assert scored(client, app, worker, sessions, CLEAN).status == "approved"


def test_abuse_action_through_the_admin_api(client, sessions, site):
    admin = make_key(sessions, "admin")
    url = "/api/v1/admin/sites/demo"
    assert client.get(url, headers=auth(admin)).json["abuse_action"] == "flag"
    updated = client.patch(url, json={"abuse_action": "reject"}, headers=auth(admin))
    assert updated.status_code == 200 and updated.json["abuse_action"] == "reject"
    bad = client.patch(url, json={"abuse_action": "delete"}, headers=auth(admin))
    assert bad.status_code == 422 and "abuse_action" in bad.json["error"]["fields"]
    with sessions() as session:
        assert session.query(Site).filter_by(name="demo").one().abuse_action == "reject"


@pytest.mark.parametrize("action", ["reject", "flag"])
def test_abuse_action_through_the_cli(settings, sessions, site, action):
    def run(*args):
        return CliRunner().invoke(main, list(args), env=env_for(settings))

    assert run("sites", "set", "demo", "--abuse-action", action).exit_code == 0
    assert json.loads(run("sites", "show", "demo").stdout)["abuse_action"] == action
    assert run("sites", "set", "demo", "--abuse-action", "delete").exit_code == 2
