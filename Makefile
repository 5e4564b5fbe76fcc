# The two commands of the README: `make demo` and `make test`.
# Both create (or reuse) .venv/ in the repository root.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_HOME ?= demo-archive

.PHONY: demo test bench clean-demo

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Debian packages the tests start for real (installed only when missing):
# chromium for the browser tests, postgresql and redis-server for the catalog and queue tests, espeak-ng for
# the recordings some tests speak themselves.
.system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	command -v espeak-ng >/dev/null 2>&1 || missing="$$missing espeak-ng"; \
	command -v sox >/dev/null 2>&1 || missing="$$missing sox"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages for the tests:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

demo: $(BIN)/.installed
	VERHALEN_HOME=$(DEMO_HOME) bash demo/build.sh

test: $(BIN)/.installed .system-deps
	$(BIN)/python -m pytest

bench: $(BIN)/.installed
	$(BIN)/python bench/transcribe.py
	$(BIN)/python bench/search.py

clean-demo:
	rm -rf $(DEMO_HOME)
