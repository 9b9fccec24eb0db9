# vn-dx-plans. The two set-up commands: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB := dist/vn_dx_plans.db
HOST ?= 127.0.0.1
PORT ?= 8001

.PHONY: install build check package serve serve-flags loadtest test docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever the lock file changes.
$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

install: $(VENV)/.installed

build: install
	$(BIN)/python build.py --output $(DB)

check: install
	$(BIN)/python build.py --check

package: install
	$(BIN)/python build.py --output $(DB) --package dist/package

# Everything `make serve` passes to Datasette, in one variable (docs/serving.md explains
# each setting); bench/loadtest.py and tests/test_serving.py read it with `make serve-flags`.
SERVE_FLAGS = -i $(DB) --metadata metadata.yml --plugins-dir site/plugins \
	--setting sql_time_limit_ms 1000 --setting max_returned_rows 1000 \
	--setting facet_time_limit_ms 200 --setting suggest_facets off \
	--setting num_sql_threads 4 --setting allow_download on \
	--setting max_csv_mb 100

serve: build
	$(BIN)/datasette serve $(SERVE_FLAGS) --host $(HOST) --port $(PORT)

serve-flags:
	@echo $(SERVE_FLAGS)

# The bounded load test (loopback only); LOADTEST_ARGS e.g. "--clients 2 --duration 3".
loadtest: build
	$(BIN)/python bench/loadtest.py $(LOADTEST_ARGS)

test: install
	$(BIN)/python -m pytest

docs: install
	$(BIN)/python -m schema.docs

clean:
	rm -rf dist .pytest_cache
