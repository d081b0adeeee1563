# Two commands for a fresh machine: `make run` and `make test` (see README).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
DB     ?= data/danvan.duckdb
PORT   ?= 8501

.PHONY: run test init demo clean bench

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# First run only: a database with demo data (marked as such) so every page has something to show.
$(DB): | $(VENV)/.installed
	$(PY) -m etl --db $(DB) demo

run: $(VENV)/.installed $(DB)
	$(PY) -m etl --db $(DB) init
	DANVAN_DB=$(DB) $(VENV)/bin/streamlit run serve.py --server.address 127.0.0.1 \
	    --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

test: $(VENV)/.installed
	$(PY) -m pytest

init: $(VENV)/.installed
	$(PY) -m etl --db $(DB) init

demo: $(VENV)/.installed
	$(PY) -m etl --db $(DB) demo

# Timings on this machine (not part of `make test`): narrative reports (a 50-page report read and
# its figures extracted, OCR of a 5-page scan), the 12-chart briefing pack, another user's
# page times while the sign-in form is flooded (bench/signin_flood.py), the first page after a server
# start with and without the warm-up (bench/first_page_bench.py), then the
# national-scale bench (3,321 units × 10 years, ~16 M values; takes minutes): ETL files/s against
# a naive loader, every page query's p50/p95 against pandas, page render times in Chromium,
# RSS -> bench/results/latest.json. `bench/run.py --smoke` checks the harness in < 1 min.
bench: $(VENV)/.installed
	-$(PY) bench/narrative_bench.py
	-$(PY) bench/brief_bench.py
	-$(PY) bench/signin_flood.py
	-$(PY) bench/first_page_bench.py
	-$(PY) bench/server_bench.py
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache
