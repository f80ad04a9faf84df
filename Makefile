# The short commands a person types. Each creates .venv and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[test]"
	@# optional system tools, installed when running as root with apt: Chromium (HTML report test),
	@# Tesseract (OCR test), Graphviz (DOT rendering). Each test skips with a message where its tool is missing.
	-@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	    { [ ! -x /usr/bin/chromium ] || ! command -v tesseract >/dev/null || ! command -v dot >/dev/null; }; then \
	    (apt-get update -qq && apt-get install -y -qq chromium tesseract-ocr graphviz) >/dev/null 2>&1 || \
	    echo "note: could not install chromium/tesseract-ocr/graphviz; their tests will be skipped"; fi
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/argmap run corpus/samples --out out/demo --overwrite

# The reference Argdown parser (Node.js) checks the Argdown export; its test is skipped where npm is missing.
ARGDOWN := tests/argdown/node_modules/.package-lock.json
$(ARGDOWN): tests/argdown/package-lock.json
	-@if command -v npm >/dev/null; then \
	    npm ci --prefix tests/argdown --silent --no-audit --no-fund >/dev/null 2>&1 || \
	    echo "note: could not install the Argdown parser; its test will be skipped"; \
	else echo "note: npm not found; the Argdown parser test will be skipped"; fi

test: $(VENV)/.installed-test $(ARGDOWN)
	$(BIN)/python -m pytest -q

bench: $(VENV)/.installed-test
	@for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

lint: $(VENV)/.installed-test
	$(BIN)/python -m pip install -q ruff
	$(BIN)/ruff check pipeline tests benchmarks

clean:
	rm -rf $(VENV) out build *.egg-info .pytest_cache
