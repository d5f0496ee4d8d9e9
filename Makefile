# The two commands of the README: `make demo` and `make test`. Each sets everything up.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
CACHE ?= .cache
PYNN_SUITE := $(CACHE)/pynn-0.13.0

.PHONY: demo test install browser suite lint unit scenarios clean

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

# the feed-forward reference network on brian2, loihi and neurocorex; ends with the report's path
demo: install
	$(PY) -m pyNN.neurox.validation.demo

# the comparison report is checked in a real browser: Debian's chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	command -v chromium >/dev/null 2>&1 || ($(SUDO) apt-get update -qq && \
		$(SUDO) apt-get install -y -qq --no-install-recommends chromium)

# PyNN's own scenario suite, exported from the PyNN 0.13.0 sdist at test time
suite: install
	$(PY) tests/pynn_suite/fetch.py $(CACHE)

# ruff over everything but .venv, .cache and build: pyproject.toml's [tool.ruff]
lint: install
	$(PY) -m ruff check .

unit: install browser
	$(PY) -m pytest tests -q

scenarios: suite
	cd $(PYNN_SUITE)/test && $(abspath $(PY)) -m pytest system/scenarios -q -p no:cacheprovider \
		--rootdir=. -c /dev/null

test: lint unit scenarios

clean:
	rm -rf $(VENV) $(CACHE) demo-report
