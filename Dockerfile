# syntax=docker/dockerfile:1
# One image for every role: `commentgate web` (default) or `commentgate worker`.

FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
RUN python -m venv /opt/venv
COPY requirements.lock ./
RUN /opt/venv/bin/pip install --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY commentgate ./commentgate
COPY launch ./launch
COPY service ./service
COPY workers ./workers
RUN /opt/venv/bin/pip install --no-deps --no-build-isolation . \
    && /opt/venv/bin/python -m compileall -q /opt/venv/lib

FROM python:3.11-slim-bookworm
LABEL org.opencontainers.image.title="commentgate" \
      org.opencontainers.image.description="Comment moderation: web (commentgate web) and worker (commentgate worker)"
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin commentgate \
    && mkdir -p /var/lib/commentgate \
    && chown commentgate:commentgate /var/lib/commentgate
COPY --from=build /opt/venv /opt/venv
# Metric files (prometheus multiprocess mode) live under COMMENTGATE_VAR_DIR/metrics.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOST=0.0.0.0 \
    PORT=8000 \
    COMMENTGATE_VAR_DIR=/var/lib/commentgate
USER 10001:10001
WORKDIR /home/commentgate
EXPOSE 8000 9100
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"]
CMD ["commentgate", "web"]
