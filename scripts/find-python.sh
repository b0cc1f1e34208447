#!/usr/bin/env bash
# Prints the path of a CPython interpreter of the requested minor version (e.g. 3.10).
# pyenv's shims refuse versions that are not globally selected, so ask pyenv directly first.
set -euo pipefail
want="$1"
if command -v pyenv >/dev/null 2>&1; then
  for v in $(pyenv versions --bare 2>/dev/null | grep -E "^${want//./\\.}(\.[0-9]+)?$" | sort -V -r); do
    p="$(pyenv root)/versions/$v/bin/python"
    [ -x "$p" ] && { echo "$p"; exit 0; }
  done
fi
for c in "python$want" python3; do
  p="$(command -v "$c" 2>/dev/null || true)"
  if [ -n "$p" ] && "$p" -c "import sys; sys.exit(0 if '%d.%d' % sys.version_info[:2] == '$want' else 1)" 2>/dev/null; then
    echo "$p"; exit 0
  fi
done
echo "error: CPython $want not found (install it, e.g. 'pyenv install $want')" >&2
exit 1
