# Two commands on a fresh machine with Python 3.11: `make demo` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The pins of the production stack: docker/Dockerfile installs ".[production]" with them.
CONSTRAINTS := docker/constraints-3.11.txt

.PHONY: demo test bench bench-quick lint install airflow airflow-cli clean system-packages constraints

$(STAMP): pyproject.toml $(CONSTRAINTS) Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,production]" --constraint $(CONSTRAINTS)
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/baocao demo

# Debian packages some tests need: LibreOffice headless, Calc and Writer (the office round trips,
# the XLSX and DOCX reviews printed to PDF), redis-server (the Celery topology test), chromium (the
# status board in a browser). Installed when missing, apt-get exists and we are root (CI);
# otherwise those tests skip, said in one line.
DEBIAN_PACKAGES := libreoffice-calc-nogui libreoffice-writer-nogui redis-server chromium

system-packages:
	@missing=""; for package in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' "$$package" 2>/dev/null | grep -q "ok installed" || missing="$$missing $$package"; done; \
	if [ -z "$$missing" ]; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  echo "installing$$missing (apt-get) for the tests"; \
	  apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else echo "not installed and not installable here (needs root and apt-get):$$missing; the tests needing them will skip"; fi

test: $(STAMP) system-packages
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2 -q

bench: $(STAMP)
	$(BIN)/python -m bench.national_month
	$(BIN)/python -m bench.dag_national_month
	$(BIN)/python -m bench.rollup_decade
	$(BIN)/python -m bench.feedback
	$(BIN)/python -m bench.celery_topology

# Every benchmark at its smallest size, a smoke run (tests/test_bench_smoke.py does the same in make test).
bench-quick: $(STAMP)
	$(BIN)/python -m bench.national_month --quick
	$(BIN)/python -m bench.dag_national_month --quick
	$(BIN)/python -m bench.rollup_decade --quick
	$(BIN)/python -m bench.feedback --quick
	$(BIN)/python -m bench.celery_topology --quick

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
