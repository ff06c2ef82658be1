# Quick start: `make demo` runs the main job on a local AWS; `make test` runs every test and check.
# Both create the virtualenv and install the pinned tools on first use.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell sha256sum requirements-dev.txt | cut -c1-12)

.PHONY: all demo bench test lint typecheck fmt-check docs-check checkov package package-check pytest tftest slow-checks clean

all: test

$(STAMP): requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required (set PYTHON=...)")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.txt
	@rm -f $(VENV)/.installed-* && touch $@

demo: $(STAMP)
	$(PY) scripts/demo.py

bench: $(STAMP)
	$(PY) scripts/bench.py

test: lint typecheck fmt-check docs-check checkov package-check slow-checks

# terraform test and pytest take minutes each, mostly waiting on Terraform: run them side by side.
slow-checks: $(STAMP)
	@$(MAKE) --no-print-directory -j2 --output-sync=target tftest pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check handler scripts tests
	$(VENV)/bin/ruff format --check handler scripts tests

# Strict, for every Python the package runs on: 3.11 here, 3.12 and 3.13 in Lambda.
typecheck: $(STAMP)
	@for version in 3.11 3.12 3.13; do \
	  echo "mypy --python-version $$version"; $(VENV)/bin/mypy --python-version $$version || exit 1; \
	done

fmt-check:
	terraform fmt -check -recursive

docs-check: $(STAMP)
	$(PY) scripts/tfdocs.py --check README.md

# checkov keeps its own virtualenv: it pins an old boto3 and ships a conflicting hcl2 module.
checkov:
	PYTHON=$(PYTHON) scripts/checkov.sh

package: $(STAMP)
	$(PY) scripts/build_package.py

package-check: $(STAMP)
	$(PY) scripts/build_package.py --check

tftest:
	@if ls tests/*.tftest.hcl >/dev/null 2>&1; then \
	  export TF_CLI_CONFIG_FILE=$$($(PYTHON) scripts/terraformrc.py) && \
	  terraform init -backend=false -input=false >/dev/null && \
	  terraform validate && terraform test; \
	fi

pytest: $(STAMP)
	$(PY) -m pytest

clean:
	rm -rf $(VENV) .venv-checkov .build .pytest_cache .mypy_cache .ruff_cache .terraform
