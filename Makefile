# The two commands: `make run` (set up, demo data if none, start the app) and `make test`.
# On a fresh machine `make run` stores the demo's last 8 weekly snapshots in the background while the app starts.
# Installs come from the locks made from pyproject.toml by `make lock`, checked against their hashes:
# requirements.txt (what the app needs) and requirements-dev.txt (tests and lint, same versions).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP_INSTALL := $(PY) -m pip install --disable-pip-version-check -q --require-hashes
DATA_DIR ?= $(or $(DASHBOARD_DATA_DIR),data)
export DASHBOARD_DATA_DIR := $(abspath $(DATA_DIR))
# `make lock` runs uv from a venv of its own, never from .venv.
LOCK_VENV ?= $(HOME)/.cache/dashboard/lock-venv
UV_VERSION := 0.13.9
UV_COMPILE := $(LOCK_VENV)/bin/uv pip compile --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command "make lock"

.PHONY: run test venv venv-dev demo check lint format lock clean nginx

$(VENV)/.installed: requirements.txt
	[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -r requirements.txt
	touch $@

# pip byte-compiles every installed file one by one: half of this install's 30 s on a clean clone. compileall does it
# on every core (about 8 s); a file it cannot compile (none today) is compiled, or not, when imported.
$(VENV)/.installed-dev: requirements.txt requirements-dev.txt
	[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) --no-compile -r requirements.txt -r requirements-dev.txt
	$(PY) -m compileall -q -j 0 $(VENV)/lib >/dev/null || true
	touch $(VENV)/.installed $@

venv: $(VENV)/.installed

venv-dev: $(VENV)/.installed-dev

demo: venv
	$(PY) -m dashboard demo --data-dir "$(DATA_DIR)"

# `serve` puts one Streamlit process per core behind nginx (Debian's package); without it, it serves one process.
nginx:
	@if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y nginx || \
				echo "Could not install nginx: the app will run as one process."; \
		else \
			echo "nginx is not installed (as root: apt-get install nginx): the app will run as one process."; \
		fi; \
	fi

run: venv nginx
	@if [ -z "$$(find "$(DATA_DIR)/curated" -name '*.parquet' 2>/dev/null | head -n 1)" ]; then \
		echo "No curated data in $(DATA_DIR)/curated: generating the demo data."; \
		$(PY) -m dashboard demo --data-dir "$(DATA_DIR)" --snapshots-in-background; \
	fi
	$(PY) -m dashboard serve --data-dir "$(DATA_DIR)"

# The tests run in one process per core (pytest-xdist; a test file stays in one process, whose session data, app
# server and browser its tests share), the longest files first (tests/session_data.py); PYTEST_WORKERS=0 runs them
# in this process. Tests marked slow run under CI=true only (or with `--run-slow`).
PYTEST_WORKERS ?= auto
test: venv-dev
	$(PY) -m ruff check .
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder
	$(PY) -m dashboard pages check --data-dir "$(DATA_DIR)"

check: venv
	$(PY) -m dashboard check --data-dir "$(DATA_DIR)"

lint: venv-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: venv-dev
	$(PY) -m ruff format .

lock:
	[ -x $(LOCK_VENV)/bin/uv ] || { $(PYTHON) -m venv $(LOCK_VENV) && $(LOCK_VENV)/bin/pip install -q uv==$(UV_VERSION); }
	$(UV_COMPILE) pyproject.toml -o requirements.txt
	$(UV_COMPILE) --group pyproject.toml:dev -c requirements.txt -o requirements-dev.txt

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
