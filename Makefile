# vn-dx-plans. The two set-up commands: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB := dist/vn_dx_plans.db
HOST ?= 127.0.0.1
PORT ?= 8001
# Everything `make serve` (and the browser tests, which read this line) gives datasette.
RELEASE ?= dist/release
SERVE_FLAGS = -i $(DB) --metadata metadata.yml --template-dir site/templates --static static:site/static --plugins-dir site/plugins --static downloads:$(RELEASE)

.PHONY: install build check package serve serve-flags test docs clean

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

serve: build
	mkdir -p $(RELEASE)
	$(BIN)/datasette serve $(SERVE_FLAGS) --host $(HOST) --port $(PORT)

serve-flags:
	@echo $(SERVE_FLAGS)

test: install
	$(BIN)/python -m pytest

docs: install
	$(BIN)/python -m schema.docs

clean:
	rm -rf dist .pytest_cache
