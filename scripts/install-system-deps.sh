#!/usr/bin/env bash
# System packages the browser tests of the web widget need: Debian's chromium
# (playwright's own browser download is not available to us) and a CJK font,
# without which every Chinese glyph in the screenshots is a box.
# Safe to run again and again: it installs only what is missing and refreshes
# the package lists only when apt does not know a package yet.
set -euo pipefail

PACKAGES=(chromium fonts-noto-cjk)

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

missing=()
for pkg in "${PACKAGES[@]}"; do
    installed "$pkg" || missing+=("$pkg")
done
# The package can be "installed" yet the binary gone (e.g. a broken upgrade).
if [[ ! -x /usr/bin/chromium ]] && [[ ! " ${missing[*]} " == *" chromium "* ]]; then
    missing+=(chromium)
fi

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "system packages already present: ${PACKAGES[*]}"
    exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
else
    echo "error: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
fi

has_candidate() {
    apt-cache policy "$1" 2>/dev/null | grep -q "Candidate: [^(]"
}

need_update=0
for pkg in "${missing[@]}"; do
    has_candidate "$pkg" || need_update=1
done
if [[ $need_update -eq 1 ]]; then
    "${SUDO[@]}" apt-get update -q
fi

install_missing() {
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${missing[@]}"
}

echo "installing: ${missing[*]}"
# Stale lists name versions the mirror no longer has; one refresh fixes that.
if ! install_missing && [[ $need_update -eq 0 ]]; then
    "${SUDO[@]}" apt-get update -q
    install_missing
fi
