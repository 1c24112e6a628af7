"""A worker's clients are built once by its entry point; a job never builds them itself."""

import pytest

from workers import runtime
from workers.jobs import learn_from_decisions, moderate_comment
from workers.runtime import RuntimeNotInstalledError


@pytest.fixture
def no_runtime():
    runtime.install(None)
    yield
    runtime.install(None)


@pytest.mark.parametrize("job", [moderate_comment, learn_from_decisions])
def test_a_job_in_a_process_without_a_runtime_is_told_so(no_runtime, job, monkeypatch, tmp_path):
    # Settings the environment would give: nothing may be built from them.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COMMENTGATE_VAR_DIR", str(tmp_path / "var"))
    with pytest.raises(RuntimeNotInstalledError, match="commentgate worker"):
        job("any")
    assert not (tmp_path / "var").exists()


def test_the_installed_runtime_is_the_one_jobs_use(no_runtime, settings, sessions, redis_client):
    built = runtime.runtime_for(settings, sessions, redis_client)
    runtime.install(built)
    assert runtime.current() is built
