"""The baselines: the least a handler must do, served by gunicorn exactly as ``commentgate web``.

``python -m bench.harness.baseline`` reads the same settings (REDIS_URL, DATABASE_URL,
PORT, COMMENTGATE_WEB_WORKERS) and serves with :func:`launch.gunicorn_app.gunicorn_options`,
so its worker class, threads and keep-alive are the service's:

* ``POST /lpush``: parse the JSON body, one LPUSH;
* ``POST /commit``: parse the JSON body, one INSERT + COMMIT, one LPUSH;
* ``POST /captchas``: a captcha drawn at issue time (the ``captcha`` package), kept in
  Redis; ``GET /captchas/<id>/image.png`` serves the stored picture.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import redis
from flask import Flask, Response, request
from sqlalchemy import Column, DateTime, Engine, MetaData, String, Table, Text, insert

from commentgate.config import Settings
from commentgate.storage.db import make_engine
from launch.gunicorn_app import CommentgateServer

QUEUE = "bench:baseline"
CAPTCHA_TTL = 600
metadata = MetaData()
# As wide as a comment's row, without its indexes (the service's table has six).
rows = Table(
    "bench_baseline",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("site", String(100)),
    Column("article", String(500)),
    Column("name", String(80)),
    Column("phone", String(20)),
    Column("title", String(200)),
    Column("content", Text),
    Column("ip", String(45)),
    Column("created_at", DateTime),
)
FIELDS = ("site", "article", "name", "phone", "title", "content")


def create_table(engine: Engine) -> None:
    """The baseline's table, created once before gunicorn forks its workers."""
    metadata.create_all(engine)


def create_app(settings: Settings) -> Flask:
    """The baseline handlers on the settings' Redis and database."""
    from captcha.image import ImageCaptcha

    app = Flask(__name__)
    client = redis.Redis.from_url(settings.redis_url)
    engine = make_engine(settings.resolved_database_url())
    drawer = ImageCaptcha(width=180, height=64)  # the service's size

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    @app.post("/lpush")
    def lpush():
        request.get_json()
        comment_id = secrets.token_hex(12)
        client.lpush(QUEUE, comment_id)
        return {"id": comment_id, "status": "received"}, 202

    @app.post("/commit")
    def commit():
        body = request.get_json()
        comment_id = secrets.token_hex(12)
        values = {key: body.get(key) for key in FIELDS}
        with engine.begin() as conn:
            conn.execute(
                insert(rows).values(
                    id=comment_id, ip=request.remote_addr, created_at=datetime.now(UTC), **values
                )
            )
        client.lpush(QUEUE, comment_id)
        return {"id": comment_id, "status": "received"}, 202

    @app.post("/captchas")
    def issue_captcha():
        captcha_id = secrets.token_hex(16)
        answer = "".join(secrets.choice("ABCDEFGHJKMNPQRSTUVWXYZ23456789") for _ in range(5))
        png = drawer.generate(answer).getvalue()
        key = f"bench:captcha:{captcha_id}"
        client.pipeline().hset(key, mapping={"answer": answer, "image": png}).expire(
            key, CAPTCHA_TTL
        ).execute()
        url = f"{request.host_url.rstrip('/')}/captchas/{captcha_id}/image.png"
        return {"id": captcha_id, "image_url": url, "expires_in": CAPTCHA_TTL}, 201

    @app.get("/captchas/<captcha_id>/image.png")
    def captcha_image(captcha_id: str):
        png = client.hget(f"bench:captcha:{captcha_id}", "image")
        if png is None:
            return {"error": "not_found"}, 404
        return Response(png, mimetype="image/png", headers={"Cache-Control": "no-store"})

    return app


class BaselineServer(CommentgateServer):
    """The service's own gunicorn application, serving the baseline app instead."""

    def load(self) -> Flask:
        return create_app(self._settings)


def main() -> None:
    """Serve the baselines on HOST:PORT until a signal stops us."""
    from commentgate import multiprocess
    from launch.gunicorn_app import gunicorn_options

    settings = Settings()
    multiprocess.prepare(settings.var_dir / "metrics")  # the service's child_exit hook needs it
    create_table(make_engine(settings.resolved_database_url()))
    BaselineServer(settings, gunicorn_options(settings, settings.web_workers)).run()


if __name__ == "__main__":
    main()
