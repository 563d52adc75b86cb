#!/usr/bin/env bash
# Install what `make test` and `make demo` need, and say what is done.
#  - as root on Debian/Ubuntu: the apt packages (podman, runc, debootstrap, python3-venv, ...)
#    that are missing;
#  - always: the virtualenv .venv from requirements-dev.txt, and the tools' virtualenvs under
#    .cache (pinned), each rebuilt only when its requirements file changes.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(python3 python3-venv python3-pip git make podman runc debootstrap ca-certificates tar shellcheck)

say() { printf '==> %s\n' "$*"; }

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    missing=()
    for pkg in "${APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        say "apt-get install ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        say "apt packages present: ${APT_PACKAGES[*]}"
    fi
else
    for tool in podman runc debootstrap; do
        command -v "$tool" >/dev/null 2>&1 || say "warning: $tool is missing (run as root on Debian/Ubuntu to install it)"
    done
fi

PYTHON="${PYTHON:-python3}"

# One virtualenv: DIR from REQUIREMENTS (pinned), rebuilt only when that file changes.
make_venv() {  # make_venv DIR REQUIREMENTS
    local dir="$1" requirements="$2" want
    want="$(sha256sum "$requirements" | cut -d' ' -f1)"
    if [ -x "$dir/bin/python" ] && [ "$(cat "$dir/.requirements.sha256" 2>/dev/null)" = "$want" ]; then
        say "virtualenv $dir is up to date with $requirements"
    else
        say "creating $dir from $requirements (pinned; about a minute)"
        rm -rf "$dir"
        mkdir -p "$(dirname "$dir")"
        "$PYTHON" -m venv "$dir"
        "$dir/bin/python" -m pip install -q -r "$requirements"
        echo "$want" > "$dir/.requirements.sha256"
    fi
}

# .venv for everything, and a virtualenv each for the tools whose pins clash with
# requirements-dev.txt or with each other: the release checks (galaxy-importer, ansible-builder)
# and the version matrix (antsibull-nox, whose nox needs a newer attrs than galaxy-importer
# allows). Built at once, on both cores (pip's work is mostly CPU; a fresh clone here on a
# busy machine: 173 s instead of 207 s one after the other).
pids=()
make_venv .venv requirements-dev.txt & pids+=("$!")
make_venv .cache/release-venv requirements-release.txt & pids+=("$!")
make_venv .cache/nox-venv requirements-matrix.txt & pids+=("$!")
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
[ "$failed" = 0 ] || { echo "bootstrap: a virtualenv failed to build (above)" >&2; exit 1; }
