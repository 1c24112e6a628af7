"""How gunicorn runs the web app: what each worker does once it has loaded the app."""

from __future__ import annotations

import gc

from commentgate.config import Settings
from launch.gunicorn_app import gunicorn_options


def test_a_worker_moves_the_loaded_app_out_of_the_collectors_sight(tmp_path):
    # Else the first full collection walks the whole app: a 0.1-s stall in a request.
    hook = gunicorn_options(Settings(var_dir=tmp_path), workers=1)["post_worker_init"]
    gc.unfreeze()
    try:
        hook(None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
