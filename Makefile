PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test quick install clean accuracy fuzz

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# The reference page ships with the evaluation data beside the repository, not with it: the demo
# uses it when it is there, and runs on the composed examples (examples/composed) alone otherwise.
SEED := ../shared/seeds/000_c623d46ca901d4fa.txt
EXAMPLE := examples/composed/01_idlib_market_strike.txt

demo: $(STAMP)
	mkdir -p out
	rm -f out/demo.db
	@if [ -f $(SEED) ]; then \
	  set -e; \
	  echo "The reference page $(SEED) through the pipeline (out/seed.json)"; \
	  $(BIN)/sitroom extract $(SEED) --published 2020-01-17 --format json -o out/seed.json; \
	  $(BIN)/sitroom extract $(SEED) --published 2020-01-17 --format table; \
	  $(BIN)/sitroom ingest $(SEED) --published 2020-01-17 --db out/demo.db; \
	else \
	  set -e; \
	  echo "No reference page at $(SEED) (it comes with the evaluation data, not the repository):"; \
	  echo "the demo runs on the composed examples alone. $(EXAMPLE) through the pipeline (out/example.json)"; \
	  $(BIN)/sitroom extract $(EXAMPLE) --published 2020-01-14 --format json -o out/example.json; \
	  $(BIN)/sitroom extract $(EXAMPLE) --published 2020-01-14 --format table; \
	fi
	@echo "Adding five composed example reports (examples/composed: written for the demo, not real reports)"
	$(BIN)/sitroom ingest examples/composed/reports.jsonl --db out/demo.db
	$(BIN)/sitroom events --db out/demo.db --country SY
	$(BIN)/sitroom report --db out/demo.db --country SY --admin1 Idlib --since 2020-01-01 --until 2020-01-17 -o out/demo-report.html
	$(BIN)/sitroom export --format acled-csv --db out/demo.db -o out/demo-events.csv
	@echo
	@echo "Situation report: out/demo-report.html"
	@echo "Events with ACLED's columns: out/demo-events.csv"
	@echo "Dashboard: $(BIN)/sitroom serve --db out/demo.db    (then open http://127.0.0.1:8000/)"

test: $(STAMP)
	bash scripts/system-deps.sh
	bash scripts/browser-deps.sh
	$(BIN)/python -m pytest

# the loop while you work (under a minute): every test but the slow suites listed in tests/conftest.py
quick: $(STAMP)
	$(BIN)/python -m pytest -m quick

# many more generated inputs than `make test` runs (SITROOM_FUZZ_EXAMPLES per property, default 400)
fuzz: $(STAMP)
	SITROOM_FUZZ=fuzz $(BIN)/python -m pytest tests/test_fuzz.py -p no:cacheprovider -W ignore::DeprecationWarning --hypothesis-show-statistics

clean:
	rm -rf $(VENV) out build *.egg-info

accuracy: $(STAMP)
	$(BIN)/python benchmarks/accuracy.py
