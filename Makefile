# Two commands for a new user: `make run` (set up, build the bundled graph, serve it at
# http://127.0.0.1:8000) and `make test`. Everything installs into ./.venv; nothing is installed system-wide.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STORE ?= oxigraph:$(CURDIR)/pactgraph-store

.PHONY: run setup build test lint clean

HOST ?= 127.0.0.1
PORT ?= 8000

run: build
	$(BIN)/pactgraph --store $(STORE) serve --host $(HOST) --port $(PORT)

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]' --config-settings editable_mode=strict
	touch $@

build: setup
	$(BIN)/pactgraph --store $(STORE) build

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy ontology shapes queries graph loaders api data

clean:
	rm -rf $(VENV) build *.egg-info pactgraph-store .pytest_cache .mypy_cache .ruff_cache
