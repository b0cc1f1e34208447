#!/usr/bin/env bash
# The whole suite, fast and slow. `make test` calls this after setup.
set -euo pipefail
cd "$(dirname "$0")/.."
# The browser tests need Debian's Chromium and a CJK font.
bash scripts/install-system-deps.sh
mkdir -p artifacts
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
