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

.PHONY: install converters browser run test lint bench ui clean

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
# strace lets a test read the system calls publishing makes (the fsync before the rename).
CHROMIUM := /usr/bin/chromium
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
STRACE := /usr/bin/strace
$(CHROMIUM) $(CJK_FONT) $(STRACE):
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(if $(filter 0,$(shell id -u)),,sudo -E) apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk strace

browser: $(CHROMIUM) $(CJK_FONT) $(STRACE)

# Legacy Word (.doc, and .wps files that are Word 97 inside) is read by converting it with
# LibreOffice, headless (Debian's Writer without the GUI); OCR needs nothing from apt, its
# models ship in the rapidocr-onnxruntime wheel.
SOFFICE := /usr/bin/soffice
$(SOFFICE):
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(if $(filter 0,$(shell id -u)),,sudo -E) apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui

converters: $(SOFFICE)

run: install converters
	$(VENV)/bin/fazhi build

lint: install
	$(VENV)/bin/ruff check pipelines tests bench

# The tests run in as many processes as there are cores, four at most (pytest-xdist): in one
# process the suite left the second core idle much of the time; on 2 cores it took 4 min 43 s
# against 7 min 53 s in one process, in the same hour.
test: lint browser converters
	$(VENV)/bin/pytest -n auto --maxprocesses 4

# Speed is measured here, never in the tests: figures go to bench/results/.
REPORTS ?= 2000 10000
bench: install
	$(VENV)/bin/python -m bench.segmentation
	$(VENV)/bin/python -m bench.pipeline --reports $(REPORTS)

# Says which sensors and schedules are on and whether the inbox sensor starts a build at once,
# then runs `dagster dev`; Ctrl-C or SIGTERM (to make or to it) stops the UI and the daemon.
UI_PORT ?= 3000
ui: install
	mkdir -p $(FAZHI_DAGSTER_STORAGE)
	$(VENV)/bin/python -m pipelines.ui --port $(UI_PORT)

clean:
	rm -rf $(VENV) $(TOOLS) .dagster warehouse/*.duckdb warehouse/.work
