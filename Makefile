# Kitchen developer commands. `make demo` and `make test` work on a fresh machine.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE ?= 1
export HF_DATASETS_OFFLINE ?= 1
export HF_HOME ?= $(CURDIR)/.hf_home
export TOKENIZERS_PARALLELISM ?= false

.PHONY: install demo test test-slow check lint typecheck imports bench bench-evidently clean

install: $(STAMP)

# torch is pinned to the CPU build in requirements/cpu.lock; on a GPU box install the CUDA
# build first (see README), then `make install` keeps it.
$(STAMP): pyproject.toml requirements/cpu.lock
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements/cpu.lock
	$(PY) -m pip install -q --no-deps -e .
	touch $(STAMP)

demo: install
	$(VENV)/bin/kitchen run sft

test: install
	$(PY) -m pytest -q

test-slow: install
	$(PY) -m pytest -q -m slow || test $$? -eq 5

lint: install
	$(VENV)/bin/ruff check kitchen store ui dashboard tests benchmarks
	$(VENV)/bin/ruff format --check kitchen store ui dashboard tests benchmarks

typecheck: install
	$(VENV)/bin/mypy kitchen store

imports: install
	$(VENV)/bin/lint-imports

check: lint typecheck imports test

bench: install bench-evidently
	$(PY) -m pip install -q -e '.[bench]'
	$(PY) benchmarks/run_all.py

# Evidently (compared with in bench_drift) needs pandas < 3: it gets an environment of its own.
EVIDENTLY_VENV := benchmarks/.work/evidently-venv
bench-evidently: $(EVIDENTLY_VENV)/.installed

$(EVIDENTLY_VENV)/.installed: benchmarks/evidently.txt
	test -x $(EVIDENTLY_VENV)/bin/python || python3 -m venv $(EVIDENTLY_VENV)
	$(EVIDENTLY_VENV)/bin/python -m pip install -q -r benchmarks/evidently.txt
	touch $@

clean:
	rm -rf .kitchen .hf_home .mypy_cache .ruff_cache build dist *.egg-info
