# make site   set up the runtime environment and build the site into output/
# make test   set up the test environment (Chromium included) and run every test
# make serve  live preview at http://127.0.0.1:8000/<base path>/, rebuilt on every save
# make bench  edit-to-reloaded figures for serve (prints them; nothing is asserted)
# Re-running any target is harmless: each step is skipped when already done.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CHROMIUM := /usr/bin/chromium

.PHONY: site test serve bench chromium clean

site: $(VENV)/.runtime
	$(PY) build.py

test: $(VENV)/.dev chromium
	$(PY) -m pytest

serve: $(VENV)/.runtime
	$(PY) build.py serve

bench: $(VENV)/.dev chromium
	$(PY) bench/edit_to_reload.py

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.txt | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

# Browser tests drive Debian's Chromium; Playwright cannot download its own browser here.
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium; \
	fi

clean:
	rm -rf output .pytest_cache
