# Everything a new machine needs: `make brief` or `make test`, nothing else.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
SAMPLE_DATE := 2025-08-19

.PHONY: brief test bench setup system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# Debian packages the tests use: pdftoppm/pdfinfo to look at PDFs, Chromium for the archive page.
system-deps:
	@if ! command -v pdftoppm >/dev/null || ! command -v chromium >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq poppler-utils chromium >/dev/null; \
	fi

brief: $(STAMP)
	$(VENV)/bin/briefing build --date $(SAMPLE_DATE)

test: $(STAMP) system-deps
	$(VENV)/bin/pytest -q

bench: $(STAMP)
	$(PY) scripts/bench.py

clean:
	rm -rf $(VENV) build *.egg-info
