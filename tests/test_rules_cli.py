"""``commentgate rules …`` and ``commentgate report``: the admin API's twins, audited as
the command line."""

import json

from tests.helpers import audit_actions
from tests.test_cli import invoke

WHEN = '{"content": "khuyen mai"}'


def test_rules_are_written_tried_promoted_and_retired_from_the_command_line(
    settings, sessions, site
):
    added = invoke(
        settings, "rules", "add", "demo", "--name", "bait", "--when", WHEN, "--action", "spam"
    )
    assert added.exit_code == 0, added.output
    rule = json.loads(added.stdout)
    assert rule["state"] == "shadow" and rule["conditions"] == {"content": "khuyen mai"}
    tried = invoke(settings, "rules", "try", "demo", "--name", "t", "--when", WHEN, "--weight", "1")
    assert json.loads(tried.stdout) == {"tried": 0, "hits": []}
    promoted = invoke(settings, "rules", "promote", "demo", str(rule["id"]))
    assert json.loads(promoted.stdout)["state"] == "active"
    assert (
        json.loads(invoke(settings, "rules", "retire", "demo", str(rule["id"])).stdout)["state"]
        == "retired"
    )
    listed = json.loads(invoke(settings, "rules", "list", "demo", "--state", "retired").stdout)
    assert [r["id"] for r in listed] == [rule["id"]]
    report = json.loads(invoke(settings, "rules", "report", "demo", str(rule["id"])).stdout)
    assert report["hits"] == 0 and report["precision"] is None
    engine = json.loads(invoke(settings, "report", "--site", "demo").stdout)
    assert engine["days"] == 30 and engine["scored"] == 0
    actions = [a for a, kind, _ in audit_actions(sessions) if kind == "rule"]
    assert actions == ["rule.create", "rule.promote", "rule.retire"]


def test_rules_the_api_refuses_are_refused_here_too(settings, sessions, site):
    unsafe = invoke(
        settings, "rules", "add", "demo", "--name", "r",
        "--when", '{"content_regex": "(a+)+$"}', "--action", "spam",
    )  # fmt: skip
    assert unsafe.exit_code != 0 and "--when" in unsafe.output
    both = invoke(settings, "rules", "add", "demo", "--name", "r", "--when", WHEN)
    assert both.exit_code != 0
    assert invoke(settings, "rules", "list", "demo").stdout.strip() == "[]"
