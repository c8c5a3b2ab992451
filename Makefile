# Two commands do everything on a fresh machine: `make lab` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

SHELL := /bin/bash
.PHONY: setup lock lab test bench validate dashboard snapshot report docs clean

setup: $(STAMP)

# The environment is exactly requirements/lock.txt (`make lock` writes it from pyproject.toml), then lbtools itself,
# editable, without dependencies; --no-build-isolation uses the locked setuptools, so the build downloads nothing.
# Re-runs when the lock, pyproject.toml or the JupyterLab settings override change; packages no longer in the lock
# are removed, and scripts/lock.py check fails if .venv then differs from the lock in any pin.
LOCK := requirements/lock.txt
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings
$(STAMP): $(LOCK) pyproject.toml binder/overrides.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --requirement $(LOCK)
	$(BIN)/python scripts/lock.py sync
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation --editable .
	mkdir -p $(LAB_SETTINGS) && cp binder/overrides.json $(LAB_SETTINGS)/overrides.json
	$(BIN)/python scripts/lock.py check
	touch $(STAMP)

# Regenerates the lock from pyproject.toml (plus the build backend, requirements/build.in) for Python 3.10-3.12 on
# every platform (markers where versions differ), keeping the pins that still satisfy it (UPGRADE=1: newest allowed),
# prints what changed, and rewrites environment.yml (pyproject's ranges, for conda users) from pyproject.toml.
# Binder installs the lock itself (binder/requirements.txt). uv runs from its own venv.
UV_VERSION := 0.13.9
LOCK_VENV := .venv-lock
lock:
	test -x $(LOCK_VENV)/bin/uv || ($(PYTHON) -m venv $(LOCK_VENV) && $(LOCK_VENV)/bin/python -m pip install --quiet uv==$(UV_VERSION) packaging==26.4)
	@cp $(LOCK) $(LOCK).previous 2>/dev/null || : > $(LOCK).previous
	$(LOCK_VENV)/bin/uv pip compile --quiet pyproject.toml requirements/build.in --constraint requirements/constraints.txt \
		--extra notebooks --extra test --extra report --extra docs \
		--universal --python-version 3.10 --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade,) -o $(LOCK)
	@echo "--- what changed in $(LOCK) (pins only):"
	@diff <(grep '==' $(LOCK).previous) <(grep '==' $(LOCK)) && echo "(nothing)" || true
	@rm -f $(LOCK).previous
	$(LOCK_VENV)/bin/python scripts/sync_binder_env.py

# Jupyter refuses to start as root unless told; containers and CI machines often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: setup
	$(BIN)/jupyter lab $(ROOT_FLAG) notebooks/

# Two stages, both always run (a failure in the first does not hide the second); make test fails if either failed or
# if the run changed a notebook. 1: the inner loop, `pytest -m "not slow"` (unit and local-Hub tests). 2: the slow
# tests: each curated notebook run once headless by nbval with its facts checked (tests/test_notebook_facts.py), and
# once in a real browser (tests/browser: JupyterLab per notebook, the dashboard once in Voila). Browser tests skip
# with the reason (-rs) when Chromium is missing; LBTOOLS_REQUIRE_BROWSER=1 (set by .ci/run) makes that a failure.
# docs/testing.md says what runs where and how long it takes.
test: setup
	@status=0; \
	$(BIN)/python -m pytest -q -rs -p no:cacheprovider -m "not slow" tests/ || status=1; \
	$(BIN)/python -m pytest -q -rs -p no:cacheprovider -n 0 -m slow tests/ || status=1; \
	git diff --quiet -- notebooks/ || { echo "notebooks changed during the test run: commit them without outputs"; git status --short; status=1; }; \
	if [ $$status -ne 0 ]; then echo "make test: FAILED (see above: unit tests, notebooks or a changed notebook)"; fi; \
	exit $$status

# Every benchmark runs; make fails if any missed its target. Timings live here, not in the unit tests.
bench: setup
	status=0; for b in fetch faults stats capability views browser; do $(BIN)/python benchmarks/bench_$$b.py || status=1; done; exit $$status

# The statistics on real public tables read from ../shared/data/external (LBTOOLS_EXTERNAL=DIR elsewhere): the
# capability model on Epoch AI's benchmark stitching and ObsScaling (index checks, held-out predictions), rank
# intervals on Eval-Arena's per-item results, correlation intervals on ObsScaling, and the trust audit's flags with
# planted inflation. Not part of `make test`; results: docs/validation.md, docs/inference.md, docs/trust.md.
validate: setup
	$(BIN)/python benchmarks/validate_real.py
	$(BIN)/python benchmarks/validate_inference.py
	$(BIN)/python benchmarks/validate_trust.py

# The notebooks as Voila dashboards (outputs and pickers, no code): http://127.0.0.1:$(DASHBOARD_PORT)/
DASHBOARD_PORT ?= 8866
dashboard: setup
	$(BIN)/voila --no-browser --Voila.ip=127.0.0.1 --port=$(DASHBOARD_PORT) --Voila.port_retries=0 notebooks/dashboard.ipynb

snapshot: setup
	$(BIN)/python scripts/build_bundled_snapshot.py

# A citable static site of one pinned snapshot (default: the bundled one; SNAPSHOT=<folder> for yours), offline:
# the curated notebooks executed, a page each, their CSV tables and figures, CITATION.cff, manifest.json.
REPORT_DIR ?= build/report
report: setup
	rm -rf $(REPORT_DIR)
	LBTOOLS_SOURCE=snapshot HF_HUB_OFFLINE=1 $(BIN)/lbtools report $(REPORT_DIR) $(if $(SNAPSHOT),--snapshot $(SNAPSHOT),)

# The documentation site (docs/*.md: Sphinx + MyST, furo theme) into build/docs/html, offline, warnings as errors.
docs: setup
	$(BIN)/sphinx-build -W --keep-going -q -b html docs build/docs/html

clean:
	rm -rf $(VENV) $(LOCK_VENV) exports test-results .pytest_cache
