# Social-media insight reports. Run `make` (or `make help`) to list the targets.
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
SHELL := /bin/bash

CONFIG ?= configs/sample.yaml
# The report CONFIG is compared with (its `compare_to`), built beside it: the sample's previous period.
PREVIOUS ?= $(if $(filter configs/sample.yaml,$(CONFIG)),configs/sample-previous.yaml)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.setup-stamp
# Offline by construction: models come from installed packages, never from a hub.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export PYTHONHASHSEED := 0

.PHONY: help setup models sample report notebooks lab test bench readme-figures lint clean

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-15s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo "  Variables: CONFIG=$(CONFIG) PREVIOUS=$(PREVIOUS)"

setup: $(STAMP) ## Create .venv, install the project (editable, with dev tools) and the `toolkit` Jupyter kernel; compile UMAP's numba code once

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name toolkit --display-name "Python (toolkit)"
	$(BIN)/toolkit precompile
	touch $@

STATIC_MODEL := models/minilm-static-256/model.safetensors

models: $(STATIC_MODEL) ## Distil the fast static embedding model from the bundled MiniLM (once, ~1 min; models/)

$(STATIC_MODEL): $(STAMP)
	$(BIN)/toolkit models

sample: $(STAMP) ## Regenerate the bundled sample in data/sample/ (deterministic)
	$(BIN)/toolkit sample

report: $(STAMP) ## Build the HTML reports for CONFIG into reports/<name>/ (skips work when nothing changed); the sample's previous period beside it
	$(BIN)/toolkit run $(PREVIOUS) $(CONFIG)

notebooks: $(STAMP) ## Re-run notebooks/ in place on the sample, refreshing the outputs nbval compares
	$(BIN)/toolkit notebooks

lab: $(STAMP) ## Start JupyterLab on the project kernel (notebooks/ open; Run All = papermill defaults)
	$(BIN)/jupyter lab --notebook-dir=notebooks --ip=127.0.0.1 \
		--MappingKernelManager.default_kernel_name=toolkit \
		$(if $(filter 0,$(shell id -u)),--allow-root)

NBVAL := --nbval notebooks --nbval-kernel-name toolkit --nbval-sanitize-with tests/nbval_sanitize.cfg
# One core, one thread: nbval must give the same outputs whatever the machine's core count.
ONE_THREAD := OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 NUMBA_NUM_THREADS=1
PIN_ONE_CORE := $(shell command -v taskset >/dev/null 2>&1 && echo taskset -c 0)

test: $(STAMP) ## Run the unit tests, then nbval over the notebooks twice: as usual, and on one core with one thread from clean working data
	$(BIN)/pytest -q tests
	$(BIN)/pytest -q $(NBVAL)
	@test -n "$(PIN_ONE_CORE)" || echo "taskset not found: the second nbval run is not pinned to one core" >&2
	work=$$(mktemp -d) && trap 'rm -rf "$$work"' EXIT && \
		TOOLKIT_WORK_DIR="$$work" $(PIN_ONE_CORE) env $(ONE_THREAD) $(BIN)/pytest -q -p no:cacheprovider $(NBVAL)

bench: $(VENV)/.bench-stamp ## Run the benchmark suites (ONLY=ingest,tone,... to pick); writes reports/bench/*.json
	$(BIN)/toolkit bench $(CONFIG) $(if $(ONLY),--only $(ONLY))

# The side-by-side baselines (Presidio) are only needed for benchmarks.
$(VENV)/.bench-stamp: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $@

readme-figures: $(STAMP) ## Rewrite the README's tables of measured figures from reports/bench/*.json (after `make bench`)
	$(BIN)/python -m toolkit.quality.benchmarks.readme --readme README.md --bench reports/bench

lint: $(STAMP) ## Check style with ruff
	$(BIN)/ruff check toolkit tests

clean: ## Remove generated reports, working data and caches (keeps .venv and data/sample)
	rm -rf reports data/processed .pytest_cache .ruff_cache
