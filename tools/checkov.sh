#!/usr/bin/env bash
# checkov on the Terraform module (the *.tf files of the repository root), then on each
# directory under examples/ (users copy them, and each one scans the module with it), offline.
#
# checkov runs from its own virtualenv, .venv-checkov (it pins an old boto3 and ships a `hcl2`
# module of its own, both at odds with .venv). The virtualenv is created on first use and
# reinstalled only when requirements-checkov.txt changes (a stamp named after its hash, like
# the Makefile's). Exits non-zero when any check fails on the module or on an example (users
# copy the examples); a check that does not apply is skipped on the resource with
# `#checkov:skip=CKV_...:<reason>`. Extra arguments go to checkov.
#
#   tools/checkov.sh                # PYTHON=python3.12 tools/checkov.sh to pick the Python
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-python3}"
VENV=.venv-checkov
REQUIREMENTS=requirements-checkov.txt
STAMP="$VENV/.installed-$(sha256sum "$REQUIREMENTS" | cut -c1-12)"

if [[ ! -f "$STAMP" ]]; then
  "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required (set PYTHON=...)")'
  [[ -x "$VENV/bin/python" ]] || "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes \
    -r "$REQUIREMENTS"
  rm -f "$VENV"/.installed-*
  touch "$STAMP"
fi

# --skip-download: no Prisma Cloud guidelines or policies; CKV_SKIP_PACKAGE_UPDATE_CHECK: no
# query to PyPI for a newer checkov. --skip-path takes regular expressions.
export CKV_SKIP_PACKAGE_UPDATE_CHECK=true
checkov=("$VENV/bin/checkov" --framework terraform --skip-download --quiet --compact)

status=0
"${checkov[@]}" -d . \
  --skip-path 'tests' \
  --skip-path 'examples' \
  --skip-path '\.terraform' \
  --skip-path '\.venv' \
  --skip-path '\.build' \
  --skip-path 'handler' \
  "$@" || status=$?

failing=()
for example in examples/*/; do
  echo "checkov: ${example%/}"
  "${checkov[@]}" -d "$example" --skip-path '\.terraform' "$@" || failing+=("${example%/}")
done
if ((${#failing[@]})); then
  echo "checkov: failing checks in ${failing[*]}"
  status=1
fi
exit "$status"
