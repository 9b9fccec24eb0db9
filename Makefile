# vn-dx-plans. The two set-up commands: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB := dist/vn_dx_plans.db
HOST ?= 127.0.0.1
PORT ?= 8001

.PHONY: install build check package serve test fuzz docs clean

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
	$(BIN)/datasette serve $(DB) --metadata metadata.yml --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest

# Longer fuzzing of the build (tests/test_fuzz.py): rounds of 300 examples for FUZZ_MINUTES.
FUZZ_MINUTES ?= 10
fuzz: install
	@end=$$(( $$(date +%s) + 60 * $(FUZZ_MINUTES) )); round=0; \
	while [ $$(date +%s) -lt $$end ]; do \
		round=$$((round + 1)); echo "fuzz round $$round"; \
		FUZZ_EXAMPLES=300 $(BIN)/python -m pytest -q -x tests/test_fuzz.py || exit 1; \
	done

docs: install
	$(BIN)/python -m schema.docs

clean:
	rm -rf dist .pytest_cache
