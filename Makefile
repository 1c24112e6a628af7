# Two commands matter: `make run` and `make test`. Everything else is a step they use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench lock clean

run: $(STAMP)
	$(BIN)/commentgate run

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check commentgate launch service workers tests bench
	$(BIN)/ruff format --check commentgate launch service workers tests bench

# The targets of the service, on loopback (bench/README.md); BENCH_ARGS=--quick for a smoke run.
bench: $(STAMP)
	@command -v wrk >/dev/null || echo "wrk not found (apt-get install wrk): closed-loop load falls back to Python threads" >&2
	$(BIN)/python -m bench $(BENCH_ARGS)

# Installs exactly what requirements-dev.lock pins (hash-checked), then the project itself.
$(STAMP): requirements-dev.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Re-pin after editing dependencies in pyproject.toml (needs network to PyPI).
# requirements.lock: what production runs (the Dockerfile); -dev adds the test tools.
lock:
	$(BIN)/python -m pip install --quiet uv==0.13.9
	$(BIN)/uv pip compile pyproject.toml --generate-hashes -p 3.11 -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes -p 3.11 -o requirements-dev.lock

clean:
	rm -rf $(VENV) var .pytest_cache
