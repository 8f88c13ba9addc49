PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install clean accuracy fuzz

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
	rm -f out/demo.db
	$(BIN)/sitroom ingest ../shared/seeds/000_c623d46ca901d4fa.txt --published 2020-01-17 --db out/demo.db
	@echo "Adding five composed example reports (examples/composed: written for the demo, not real reports)"
	$(BIN)/sitroom ingest examples/composed/reports.jsonl --db out/demo.db
	$(BIN)/sitroom events --db out/demo.db --country SY
	$(BIN)/sitroom report --db out/demo.db --country SY --admin1 Idlib --since 2020-01-01 --until 2020-01-17 -o out/demo-report.html
	@echo
	@echo "Situation report: out/demo-report.html"
	@echo "Dashboard: $(BIN)/sitroom serve --db out/demo.db    (then open http://127.0.0.1:8000/)"

test: $(STAMP)
	bash scripts/system-deps.sh
	bash scripts/browser-deps.sh
	$(BIN)/python -m pytest

# many more generated inputs than `make test` runs (SITROOM_FUZZ_EXAMPLES per property, default 400)
fuzz: $(STAMP)
	SITROOM_FUZZ=fuzz $(BIN)/python -m pytest tests/test_fuzz.py -p no:cacheprovider -W ignore::DeprecationWarning --hypothesis-show-statistics

clean:
	rm -rf $(VENV) out build *.egg-info

accuracy: $(STAMP)
	$(BIN)/python benchmarks/accuracy.py
