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

# System packages the browser tests need (Debian/Ubuntu; installed only when missing).
.system-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

demo: $(BIN)/.installed
	VERHALEN_HOME=$(DEMO_HOME) bash demo/build.sh

test: $(BIN)/.installed .system-deps
	$(BIN)/python -m pytest

bench: $(BIN)/.installed
	$(BIN)/python bench/transcribe.py
	$(BIN)/python bench/search.py

clean-demo:
	rm -rf $(DEMO_HOME)
