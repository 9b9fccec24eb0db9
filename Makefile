# vn-dx-plans. The two set-up commands: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB := dist/vn_dx_plans.db
HOST ?= 127.0.0.1
PORT ?= 8001
# Everything `make serve` gives datasette; the browser tests, tests/test_serving.py and
# bench/loadtest.py read it with `make serve-flags`. docs/serving.md explains the settings.
RELEASE ?= dist/release
SERVE_FLAGS = -i $(DB) --metadata metadata.yml --template-dir site/templates --static static:site/static --plugins-dir site/plugins --static downloads:$(RELEASE) \
	--setting sql_time_limit_ms 500 --setting max_returned_rows 1000 \
	--setting facet_time_limit_ms 200 --setting suggest_facets off \
	--setting num_sql_threads 4 --setting allow_download on \
	--setting max_csv_mb 100

.PHONY: install build check package serve serve-flags loadtest test fuzz docs clean
.PHONY: release diff changelog history citation alembic-check migration jurisdictions

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

# The downloadable release (release/release.py): dist/release/vn-dx-plans-<version>/, its .zip and
# manifest.json. PREVIOUS=<old release folder or .db> puts what changed since then in its CHANGELOG.
# Reproducible byte for byte (dates from `released` in data/dataset.yml); a release whose inputs have not
# changed is not rewritten (dist/release/.inputs).
# A release is built in full (--no-cache): an incremental build has the same rows, but views without an
# ORDER BY list them in the order they were written.
release: install
	$(BIN)/python build.py --no-cache --output $(DB)
	$(BIN)/python -m release.release --db $(DB) --out $(RELEASE) $(if $(PREVIOUS),--previous $(PREVIOUS))

package: release

# What changed between two releases (folders or .db files): dist/diff/diff.{txt,json,csv}.
DIFF_OUT ?= dist/diff
diff: install
	$(BIN)/python -m release.diff $(FROM) $(TO) --out $(DIFF_OUT)

# Write this version's generated section into CHANGELOG.md, to be edited by hand.
changelog: build
	$(BIN)/python -m release.release --db $(DB) --update-changelog $(if $(PREVIOUS),--previous $(PREVIOUS))

# Before a release: what changed in each row since PREVIOUS=<the previous release>, into data/history/<version>.csv
# (committed with the data; every build puts it in row_history, which the row pages show).
history: build
	$(BIN)/python -m release.history $(PREVIOUS) $(DB)

# CITATION.cff and .zenodo.json from data/dataset.yml.
citation: install
	$(BIN)/python -m release.citation

# The jurisdiction and reorganisation blocks of data/jurisdictions/*.yml, from the vietnamadminunits package
# (tools/jurisdictions.py): the 63 provinces, the 23 units formed in 2025 and the crosswalk.
jurisdictions: install
	$(BIN)/python -m tools.jurisdictions

# Contributors: compare the models with the migrations, or write a new migration (m="what changed").
alembic-check: install
	$(BIN)/alembic check

migration: install
	$(BIN)/alembic revision --autogenerate -m "$(m)"

# Served as a release is served: the database immutable (it downloads at /vn_dx_plans.db), the
# release files under /downloads/, the site's templates, static files and plugins.
serve: release
	$(BIN)/datasette serve $(SERVE_FLAGS) --host $(HOST) --port $(PORT)

serve-flags:
	@echo $(SERVE_FLAGS)

# The bounded load test (loopback only); LOADTEST_ARGS e.g. "--clients 2 --duration 3".
loadtest: build
	$(BIN)/python bench/loadtest.py $(LOADTEST_ARGS)

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
	$(BIN)/python -m release.citation

clean:
	rm -rf dist .cache .pytest_cache

# Benchmark (issue 10): build.py against the floor, medians of interleaved runs (bench/run.py).
.PHONY: bench bench-quick
bench: install
	$(BIN)/python bench/run.py --cases today,check,63x2000,edit:63x2000 --repeats 3

bench-quick: install
	$(BIN)/python bench/run.py --cases today,check,10x200,edit:10x200 --repeats 5
