# Two commands on a fresh machine with Python 3.11: `make demo` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The pins of the production stack: docker/Dockerfile installs ".[production]" with them.
CONSTRAINTS := docker/constraints-3.11.txt

.PHONY: demo test bench bench-quick lint install airflow airflow-cli clean libreoffice constraints

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,airflow]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/baocao demo

# LibreOffice headless (`soffice`) for tests/test_libreoffice_roundtrip.py: installed from Debian when
# missing, apt-get exists and we are root (CI); otherwise those tests skip, said in one line.
libreoffice:
	@if command -v soffice >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  echo "installing libreoffice-calc-nogui (apt-get) for the LibreOffice round-trip tests"; \
	  apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui >/dev/null; \
	else echo "soffice not found and not installable here (needs root and apt-get): the LibreOffice tests will skip"; fi

test: $(STAMP) libreoffice
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2 -q

bench: $(STAMP)
	$(BIN)/python -m bench.national_month
	$(BIN)/python -m bench.dag_national_month
	$(BIN)/python -m bench.rollup_decade
	$(BIN)/python -m bench.feedback

# Every benchmark at its smallest size, a smoke run (tests/test_bench_smoke.py does the same in make test).
bench-quick: $(STAMP)
	$(BIN)/python -m bench.national_month --quick
	$(BIN)/python -m bench.dag_national_month --quick
	$(BIN)/python -m bench.rollup_decade --quick
	$(BIN)/python -m bench.feedback --quick

airflow: $(STAMP)
	$(BIN)/python -m etl.orchestration.airflow_local

# The airflow CLI against make airflow's home and metadata database, e.g. ARGS="dags list".
airflow-cli: $(STAMP)
	$(BIN)/python -m etl.orchestration.airflow_local cli $(ARGS)

# Regenerates $(CONSTRAINTS) in a throw-away virtualenv (about a minute; .venv is not touched).
# After a dependency change in pyproject.toml; review the diff before committing it.
constraints:
	bash docker/constraints.sh $(PYTHON) $(CONSTRAINTS)

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) data build *.egg-info
