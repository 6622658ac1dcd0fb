# The two commands: `make run` (set up, demo data if none, start the app) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DATA_DIR ?= $(or $(DASHBOARD_DATA_DIR),data)
export DASHBOARD_DATA_DIR := $(abspath $(DATA_DIR))

.PHONY: run test venv demo check lint format clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

venv: $(VENV)/.installed

demo: venv
	$(PY) -m dashboard demo --data-dir "$(DATA_DIR)"

run: venv
	@if [ -z "$$(find "$(DATA_DIR)/curated" -name '*.parquet' 2>/dev/null | head -n 1)" ]; then \
		echo "No curated data in $(DATA_DIR)/curated: generating the demo data."; \
		$(PY) -m dashboard demo --data-dir "$(DATA_DIR)"; \
	fi
	$(PY) -m dashboard serve --data-dir "$(DATA_DIR)"

test: venv
	$(PY) -m ruff check .
	$(PY) -m pytest
	$(PY) -m dashboard pages check --data-dir "$(DATA_DIR)"

check: venv
	$(PY) -m dashboard check --data-dir "$(DATA_DIR)"

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: venv
	$(PY) -m ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
