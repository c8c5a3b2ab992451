# Two commands do everything on a fresh machine: `make lab` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup lab test bench dashboard snapshot clean

setup: $(STAMP)

# Re-install only when the package's requirements change.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[notebooks,test]'
	touch $(STAMP)

# Jupyter refuses to start as root unless told; containers and CI machines often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: setup
	$(BIN)/jupyter lab $(ROOT_FLAG) notebooks/

# Browser tests (tests/browser) run when Chromium is found and skip with the reason otherwise (-rs prints it);
# LBTOOLS_REQUIRE_BROWSER=1 (set by .ci/run) turns that skip into a failure.
test: setup
	$(BIN)/python -m pytest -q -rs -p no:cacheprovider tests/
	LBTOOLS_SOURCE=snapshot MPLBACKEND=Agg $(BIN)/python -m pytest -q -p no:cacheprovider --nbval-lax --nbval-current-env notebooks/
	@git diff --quiet -- notebooks/ || (echo "notebooks changed during the test run: commit them without outputs"; git status --short; exit 1)

bench: setup
	$(BIN)/python benchmarks/bench_fetch.py
	$(BIN)/python benchmarks/bench_capability.py
	$(BIN)/python benchmarks/bench_stats.py

# The notebooks as Voila dashboards (outputs and pickers, no code): http://127.0.0.1:$(DASHBOARD_PORT)/
DASHBOARD_PORT ?= 8866
dashboard: setup
	$(BIN)/voila --no-browser --Voila.ip=127.0.0.1 --port=$(DASHBOARD_PORT) --Voila.port_retries=0 notebooks/dashboard.ipynb

snapshot: setup
	$(BIN)/python scripts/build_bundled_snapshot.py

clean:
	rm -rf $(VENV) exports test-results .pytest_cache
