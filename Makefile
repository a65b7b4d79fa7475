# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench schema check lint clean node-deps i18n

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

## run: install, start (or reuse) the database, migrate, load demo data, serve /graphql on 127.0.0.1:8000
run: $(STAMP)
	$(BIN)/comptoir serve

## test: install and run the whole test suite (starts a private PostgreSQL if none is reachable)
test: $(STAMP) node-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The audit suite's packages are vendored (tests/http/vendor): installing them needs no npm registry.
node-deps:
	@if [ ! -f tests/http/package.json ]; then :; \
	elif ! command -v npm >/dev/null 2>&1; then echo "npm not found: the graphql-http audit test will be skipped"; \
	elif [ ! -d tests/http/node_modules ] || [ tests/http/package-lock.json -nt tests/http/node_modules ]; then \
	  (cd tests/http && npm ci --offline --silent --no-audit --no-fund); fi

## bench: request throughput and latency benchmarks, figures printed and written to bench/results/
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

## i18n: extract the messages (comptoir/i18n/locales/comptoir.pot), update the .po files, compile the .mo files
## (the .mo files are not committed: the application also compiles a missing or stale one on first use)
i18n: $(STAMP)
	$(BIN)/python -m comptoir.i18n.catalogs extract update compile

## schema: export schema.graphql (a test fails when it is stale)
schema: $(STAMP)
	$(BIN)/comptoir schema --output schema.graphql

lint: $(STAMP)
	$(BIN)/python -m ruff check comptoir tests || true

clean:
	rm -rf $(VENV) var tests/http/node_modules
