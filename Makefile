# Every target works from a fresh clone: the virtual environment is made on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test bench lint figures clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m app --host $(HOST) --port $(PORT)

# Two test processes: the browser and service tests spend much of their time waiting on servers
# and Chromium. Each process takes the next test as it finishes one, browser tests first
# (tests/conftest.py).
TEST_PROCESSES ?= 2

test: $(STAMP)
	$(BIN)/python -m pytest -q -n $(TEST_PROCESSES) --dist load

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

figures: $(STAMP)
	$(BIN)/python scripts/make_figures.py

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
