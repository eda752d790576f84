# Two commands do everything: `make run` (execute and render the notebooks) and
# `make test` (helper tests + nbval over every notebook). Both set up what is
# missing first: .venv with the pinned packages, the helper package, the data.

VENV      := .venv
PY        := $(VENV)/bin/python
STAMP     := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
SANITIZE  := notebooks/nbval-sanitize.cfg
# mxnet 1.9.1 with numpy 1.23 has wheels for Python 3.8-3.11 only.
PYTHON    ?= $(shell for p in python3.11 python3.10 python3.9 python3.8 python3; do \
               command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(not (3, 8) <= sys.version_info[:2] <= (3, 11))' 2>/dev/null \
               && { echo $$p; break; }; done)

.PHONY: help setup data run test bench constraints clean

# Training results are bit-identical for a given OpenMP thread count, not across counts:
# the stored outputs were made with one thread, so run and test use one.
run test: export OMP_NUM_THREADS = 1

help:
	@echo "make run    execute every notebook into build/notebooks and render build/html"
	@echo "make test   helper tests and nbval over every notebook"
	@echo "make bench  seconds per epoch: d2lzh vs d2lhelpers vs a floor"

setup: $(STAMP)

$(STAMP): requirements.txt constraints.txt pyproject.toml
	@test -n "$(PYTHON)" || { echo "make: no Python 3.8-3.11 found (mxnet 1.9.1 has no wheels for newer Pythons): install python3.11, or run make PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

data: $(STAMP)
	@bash tools/get-data.sh $(PY)

run: data
	rm -rf build/notebooks build/html
	$(PY) -m jupyter nbconvert --to notebook --execute --output-dir build/notebooks $(NOTEBOOKS)
	$(PY) -m jupyter nbconvert --to html --output-dir build/html build/notebooks/*.ipynb
	$(PY) tools/html_index.py build/notebooks build/html/index.html
	@echo "Open build/html/index.html"

test: data
	$(PY) -m pytest --nbval --nbval-current-env --nbval-sanitize-with $(SANITIZE) tests $(NOTEBOOKS)

bench: data
	$(PY) bench/bench_notebooks.py
	$(PY) bench/bench_train.py

# Re-freeze every transitive dependency after changing requirements.txt.
constraints: $(STAMP)
	{ sed -n '1,2p' constraints.txt; $(PY) -m pip freeze --exclude-editable; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

clean:
	rm -rf build $(VENV)
