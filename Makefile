# Two commands on a fresh machine with Python 3.11: `make demo` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test bench lint install airflow clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,airflow]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/baocao demo

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2 -q

bench: $(STAMP)
	$(BIN)/python -m bench.national_month
	$(BIN)/python -m bench.rollup_decade

airflow: $(STAMP)
	$(BIN)/python -m etl.orchestration.airflow_local

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) data build *.egg-info
