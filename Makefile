# Quick start: `make demo` runs the main job on a local AWS; `make test` runs every test and check.
# Both create the virtualenv and install the pinned tools on first use.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell sha256sum requirements-dev.txt | cut -c1-12)

# Terraform and its AWS provider are Go programs, and CPU bounds the slow checks: every
# terraform command starts the provider, whose start-up (thousands of resource schemas) is
# garbage-collector heavy. A lazier collector takes about 30 % less CPU per command for about
# 1.6 times the memory (terraform test on tests/alarms.tftest.hcl: 23 CPU-seconds at Go's
# default of 100, 17 at 400; 800 and off cost more, in page faults). Set GOGC to override.
export GOGC ?= 400

.PHONY: all help demo local-aws bench test lint typecheck fmt fmt-check docs docs-check checkov package package-check pytest pytest-deploy pytest-examples pytest-others pytest-timing tftest slow-checks audit clean

all: test

# Every target documents itself with a `## ` comment on its rule line; `make help` lists them.
help: ## List the targets, one line each
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)$$/\1\t\2/' | \
	  awk -F '\t' '{ printf "  make %-14s %s\n", $$1, $$2 }'

$(STAMP): requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required (set PYTHON=...)")'
	@test -x $(PY) || { echo "==> creating $(VENV)"; $(PYTHON) -m venv $(VENV); }
	@echo "==> installing the pinned tools (requirements-dev.txt) into $(VENV): about 2 minutes, first run only"
	@$(PY) -m pip install --disable-pip-version-check --progress-bar on --require-hashes -r requirements-dev.txt
	@rm -f $(VENV)/.installed-* && touch $@

demo: $(STAMP) ## The main job on the embedded local AWS (no account needed)
	$(PY) demo/demo.py

# The demo's local AWS, served until Ctrl-C for your own root module: it prints the provider
# block to paste and the TF_CLI_CONFIG_FILE line (the offline provider mirror, where there is
# one). PORT=0 takes a free port.
PORT ?= 4566
local-aws: $(STAMP) ## Serve the local AWS for your own root module; print its provider block
	@$(PY) emulator/local_aws.py --port $(PORT) --terraformrc "$$($(PY) tools/terraformrc.py)"

bench: $(STAMP) ## Benchmarks: printed figures and ratios, nothing asserted
	$(PY) demo/bench.py

# terraform test, pytest and checkov take minutes each, much of it waiting on Terraform and on
# local servers: run them side by side (each one's output printed whole when it ends). pytest
# runs in four lanes that together are exactly `make pytest`'s suite: the tests that run
# Terraform against the local AWS (minutes each) in two lanes (each waits much of its time on
# Terraform's polls, so two keep the CPU busy where one left it idle) and all the others side
# by side, the three of about equal length (measured beside a busy CPU: deploy ~740 s, others
# ~990 s and examples ~480 s before the plans of test_unknown_at_plan.py, ~230 s, moved from
# others to examples); then alone the tests that measure delivery against the invocation's
# deadline (the fault campaign and the guarantees), whose timings a machine busy with the
# other lanes would distort.
PYTEST_DEPLOY   := tests/test_module_apply.py tests/test_upgrade.py tests/test_demo.py
PYTEST_EXAMPLES := tests/test_examples.py tests/test_connect_registration.py tests/test_unknown_at_plan.py
PYTEST_TIMING := tests/test_fault_campaign.py tests/test_guarantees.py tests/test_deadline_edges.py
# The longest lanes first, so that they take the first free job slots.
SLOW_LANES := pytest-others pytest-deploy pytest-examples tftest checkov
slow-checks: ## terraform test, pytest (four lanes) and checkov
	@$(MAKE) --no-print-directory -j5 --output-sync=target $(SLOW_LANES)
	@$(MAKE) --no-print-directory pytest-timing

# The quick checks run beside the slow lanes instead of before them: terraform test and
# checkov (which need no .venv) start while .venv is installed, and the deploy lane starts as
# soon as it is. Any failing check or test still fails `make test`.
QUICK_CHECKS := lint typecheck fmt-check docs-check package-check
test: ## Every test and check (what CI runs)
	@$(MAKE) --no-print-directory -j6 --output-sync=target $(SLOW_LANES) $(QUICK_CHECKS)
	@$(MAKE) --no-print-directory pytest-timing

pytest-deploy: $(STAMP)
	$(PY) -m pytest $(PYTEST_DEPLOY)

pytest-examples: $(STAMP)
	$(PY) -m pytest $(PYTEST_EXAMPLES)

pytest-others: $(STAMP)
	$(PY) -m pytest $(addprefix --ignore=,$(PYTEST_DEPLOY) $(PYTEST_EXAMPLES) $(PYTEST_TIMING))

pytest-timing: $(STAMP)
	$(PY) -m pytest $(PYTEST_TIMING)

lint: $(STAMP) ## ruff check and ruff format --check
	$(VENV)/bin/ruff check handler emulator tools demo tests
	$(VENV)/bin/ruff format --check handler emulator tools demo tests

# Strict, for every Python the package runs on: 3.11 here, 3.12 and 3.13 in Lambda.
typecheck: $(STAMP) ## mypy --strict for Python 3.11, 3.12 and 3.13
	@for version in 3.11 3.12 3.13; do \
	  echo "mypy --python-version $$version"; $(VENV)/bin/mypy --python-version $$version || exit 1; \
	done

fmt: $(STAMP) ## terraform fmt and ruff format, in place
	terraform fmt -recursive
	$(VENV)/bin/ruff format handler emulator tools demo tests

fmt-check: ## terraform fmt -check
	terraform fmt -check -recursive

# The module's and every example's README: each documents the module in its own directory. In
# the module's, an object type is shown as object({...}): docs/inputs.md documents its keys.
EXAMPLE_DOCS := $(sort $(wildcard examples/*/README.md))

docs: $(STAMP) ## Regenerate the inputs/outputs tables of the README and every example
	$(PY) tools/tfdocs.py --compact-types README.md
	$(PY) tools/tfdocs.py $(EXAMPLE_DOCS)

docs-check: $(STAMP) ## Fail when the README's or an example's inputs/outputs tables are stale
	$(PY) tools/tfdocs.py --compact-types --check README.md
	$(PY) tools/tfdocs.py --check $(EXAMPLE_DOCS)

# checkov keeps its own virtualenv: it pins an old boto3 and ships a conflicting hcl2 module.
checkov: ## checkov on the module and every example (own virtualenv)
	PYTHON=$(PYTHON) tools/checkov.sh

package: $(STAMP) ## Rebuild handler/dist/custom-channel.zip from the handler and its lock
	$(PY) tools/build_package.py

package-check: $(STAMP) ## Fail when the committed zip differs from a fresh build
	$(PY) tools/build_package.py --check

tftest: ## terraform test (tests/*.tftest.hcl, mocked provider)
	@if ls tests/*.tftest.hcl >/dev/null 2>&1; then \
	  export TF_CLI_CONFIG_FILE=$$($(PYTHON) tools/terraformrc.py) && \
	  terraform init -backend=false -input=false >/dev/null && \
	  terraform validate && terraform test; \
	fi

pytest: $(STAMP) ## The Python tests (pytest)
	$(PY) -m pytest

# Known vulnerabilities in the locked dependencies (the Lambda package's lock first). Needs the
# network (PyPI's advisory data), so it is not part of `make test`; own virtualenv, pinned tool.
# --strict: a package the service cannot look up fails the audit instead of passing unchecked.
PIP_AUDIT := pip-audit==2.10.1
audit: ## pip-audit the handler's lock and the tools' lock (needs the network)
	@test -x .venv-audit/bin/pip-audit || { $(PYTHON) -m venv .venv-audit && \
	  .venv-audit/bin/pip install --quiet --disable-pip-version-check $(PIP_AUDIT); }
	.venv-audit/bin/pip-audit --requirement handler/requirements.lock --require-hashes --disable-pip --strict --progress-spinner off
	.venv-audit/bin/pip-audit --requirement requirements-dev.txt --require-hashes --disable-pip --strict --progress-spinner off

clean: ## Remove virtualenvs, caches and build output
	rm -rf $(VENV) .venv-checkov .venv-audit .build .pytest_cache .mypy_cache .ruff_cache .terraform
