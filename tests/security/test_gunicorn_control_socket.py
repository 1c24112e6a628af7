"""gunicorn's control socket is off: it sits at one path per user, shared by every instance.

From gunicorn 25.1 each master listens on ``$XDG_RUNTIME_DIR/gunicorn.ctl`` (else
``~/.gunicorn/gunicorn.ctl``) unless told not to, so a second gunicorn of the same
user takes the first one's socket, and whatever runs as that user can resize or stop it.
"""

from __future__ import annotations

from commentgate.config import Settings
from launch.gunicorn_app import gunicorn_options
from tests.stack import Stack


def test_the_options_turn_the_control_socket_off(tmp_path):
    assert gunicorn_options(Settings(var_dir=tmp_path), workers=1)["control_socket_disable"] is True


def test_a_running_web_server_opens_no_control_socket(tmp_path, redis_url, database_url):
    runtime, home = tmp_path / "runtime", tmp_path / "home"
    runtime.mkdir(mode=0o700)
    home.mkdir()
    env = {"XDG_RUNTIME_DIR": str(runtime), "HOME": str(home)}
    stack = Stack(tmp_path, redis_url, database_url, extra_env=env)
    try:
        stack.start_web(workers=1)
        opened = [*runtime.iterdir(), *home.iterdir()]  # gunicorn removes it when it stops
    finally:
        stack.stop()
    assert opened == []
    assert "Control socket listening" not in stack.log_text("web")
