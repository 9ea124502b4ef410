# fazhi: `make run` builds the warehouse from seeds/, `make test` runs the suite.
# Everything is installed into this folder (.tools for uv, .venv for the project) from the
# lock file; only Python 3.11 and the package registries are needed.
SHELL := /bin/bash
PYTHON ?= python3.11
UV_VERSION := 0.13.8
TOOLS := $(CURDIR)/.tools
UV := $(TOOLS)/bin/uv
VENV := $(CURDIR)/.venv

export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Bytecode compiled once at install: otherwise every start compiles what it imports again
# wherever Python may not write it (PYTHONDONTWRITEBYTECODE, a read-only install).
export UV_COMPILE_BYTECODE := 1
export DAGSTER_HOME := $(CURDIR)
export FAZHI_DAGSTER_STORAGE ?= $(CURDIR)/.dagster

.PHONY: install browser run test lint bench ui clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet
	$(VENV)/bin/python -m compileall -q pipelines bench
	touch $@

install: $(VENV)/.installed

# The tests look at the HTML report in a real headless Chromium: Debian's package (Playwright's
# own browser download does not work here), with CJK fonts so Chinese renders as text.
CHROMIUM := /usr/bin/chromium
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
$(CHROMIUM) $(CJK_FONT):
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(if $(filter 0,$(shell id -u)),,sudo -E) apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk

browser: $(CHROMIUM) $(CJK_FONT)

run: install
	$(VENV)/bin/fazhi build

lint: install
	$(VENV)/bin/ruff check pipelines tests bench

test: lint browser
	$(VENV)/bin/pytest

# Speed is measured here, never in the tests: figures go to bench/results/.
REPORTS ?= 2000 10000
bench: install
	$(VENV)/bin/python -m bench.segmentation
	$(VENV)/bin/python -m bench.pipeline --reports $(REPORTS)

ui: install
	mkdir -p $(FAZHI_DAGSTER_STORAGE)
	$(VENV)/bin/dagster dev -m pipelines.definitions

clean:
	rm -rf $(VENV) $(TOOLS) .dagster warehouse/*.duckdb warehouse/.work
