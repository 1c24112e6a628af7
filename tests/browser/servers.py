"""The two origins of a browser test: the real API, and a host page somewhere else."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

from werkzeug.serving import make_server


class LiveServer:
    """A WSGI app on a free port, served by werkzeug's threaded server in a thread."""

    def __init__(self, app) -> None:
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


HOST_PAGE = """<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Bài báo thử</title>
<style>body{{margin:0 auto;max-width:48rem;padding:1rem;font:17px/1.6 Arial,sans-serif}}</style>
</head>
<body>
<main>
<h1>Bài báo thử</h1>
<p>Một bài báo trên trang của toà soạn; phần bình luận do commentgate phục vụ.</p>
<div data-commentgate data-site="{site}" data-article="{article}"{lang}>
<noscript><iframe title="Gửi bình luận" src="{embed}"
  style="width:100%;height:1300px;border:0"></iframe></noscript>
</div>
</main>
<script src="{api}/widget.js" defer></script>
</body>
</html>
"""


@dataclass
class HostSite:
    """A news site on its own origin whose article pages include the widget."""

    api: str
    site: str = "demo"
    _server: ThreadingHTTPServer | None = field(default=None, repr=False)

    @property
    def origin(self) -> str:
        assert self._server is not None
        # "localhost" against the API's "127.0.0.1": another host and another port.
        return f"http://localhost:{self._server.server_port}"

    def article_url(self, article: str, lang: str | None = None) -> str:
        query = f"?article={quote(article)}" + (f"&lang={lang}" if lang else "")
        return f"{self.origin}/article.html{query}"

    def page(self, article: str, lang: str | None) -> bytes:
        embed = f"{self.api}/embed/form?site={quote(self.site)}&article={quote(article)}"
        return HOST_PAGE.format(
            site=escape(self.site),
            article=escape(article),
            lang=' data-lang="en"' if lang == "en" else "",
            embed=escape(embed + (f"&lang={lang}" if lang else "")),
            api=self.api,
        ).encode()

    def start(self) -> HostSite:
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                query = parse_qs(urlsplit(self.path).query)
                body = host.page(query.get("article", ["bai-1"])[0], query.get("lang", [None])[0])
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
