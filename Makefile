# antq: `make demo` sets up a venv from the lock and builds the bundled demo; `make test` runs the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
UV_VERSION := 0.13.9
PY_DIRS := catalog demo ingestion expectations reports orchestration benchmarks workbook_format registers

.PHONY: setup bytecode demo demo-2025 test lint bench bench-build ui preview clean

$(BIN)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip >/dev/null
	$(BIN)/python -m pip install -q "uv==$(UV_VERSION)"
	$(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	touch $@

# Bytecode for the project's own modules too: where PYTHONDONTWRITEBYTECODE is set, Python would
# otherwise compile every module from source at every start (seconds per build).
bytecode: $(BIN)/.installed
	$(BIN)/python -m compileall -q -j 0 $(PY_DIRS) >/dev/null

dbt_project/target/manifest.json: $(BIN)/.installed $(shell find dbt_project/models dbt_project/tests dbt_project/macros catalog -type f 2>/dev/null) dbt_project/dbt_project.yml
	cd dbt_project && PATH=$(CURDIR)/$(BIN):$$PATH ANTQ_WAREHOUSE=warehouse.duckdb ../$(BIN)/dagster-dbt project prepare-and-package --file ../orchestration/dbt.py

setup: $(BIN)/.installed bytecode dbt_project/target/manifest.json

demo: setup
	test -d demo/inbox || $(BIN)/python -m demo.generate --out demo/inbox
	$(BIN)/antq build 2021-H1

# The second demo, the new Lâm Đồng after 1 July 2025 (two levels: province, communes), in out/lam_dong_2025
# and var/lam_dong_2025 (demo/README.md)
demo-2025: setup
	test -d demo/lam_dong_2025/inbox || $(BIN)/python -m demo.generate --demo lam-dong-2025
	$(BIN)/antq build 2025-H1 --demo lam-dong-2025
	$(BIN)/antq build 2025-H2 --demo lam-dong-2025
	$(BIN)/antq build 2026-H1 --demo lam-dong-2025

test: setup
	$(BIN)/python -m pytest -q -n 2 --dist loadfile --durations=15

# ruff (configured in pyproject.toml): lint and format, both clean; `ruff format .` fixes the format
lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: setup
	$(BIN)/python -m benchmarks.ingest --n 1000

bench-build: setup
	$(BIN)/python -m benchmarks.build $(ARGS)

# The UI of one warehouse (default var/warehouse.duckdb; `make ui WAREHOUSE=...`) with its own Dagster
# instance beside it, WAREHOUSE.dagster_home, where `antq build --warehouse WAREHOUSE` writes its runs.
WAREHOUSE ?= var/warehouse.duckdb
ui: setup
	home=$$($(BIN)/python -m orchestration.instance $(abspath $(WAREHOUSE))) && \
	ANTQ_WAREHOUSE=$(abspath $(WAREHOUSE)) DAGSTER_HOME=$$home $(BIN)/dagster dev -m orchestration.definitions

# The period's documents as PDF and PNG pages under OUT/PERIOD/preview/, to look at without Office
# (LibreOffice and poppler-utils; not part of a build): `make preview PERIOD=2021-H1 OUT=out`
PERIOD ?= 2021-H1
OUT ?= out
preview: $(BIN)/.installed
	$(BIN)/python -m reports.preview $(PERIOD) --out $(OUT)

clean:
	rm -rf out var dagster_home/storage dagster_home/history dagster_home/schedules dbt_project/target demo/inbox demo/lam_dong_2025/inbox
