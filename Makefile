PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install clean accuracy

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	mkdir -p out
	$(BIN)/sitroom extract ../shared/seeds/000_c623d46ca901d4fa.txt --published 2020-01-17 --format json -o out/seed.json
	$(BIN)/sitroom extract ../shared/seeds/000_c623d46ca901d4fa.txt --published 2020-01-17 --format table

test: $(STAMP)
	bash scripts/system-deps.sh
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) out build *.egg-info

accuracy: $(STAMP)
	$(BIN)/python benchmarks/accuracy.py
