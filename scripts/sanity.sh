#!/usr/bin/env bash
# Run `ansible-test sanity` on a copy of the collection in an ansible_collections/ tree.
#
# ansible-test bootstraps pip in each of its virtualenvs with a get-pip script it downloads
# from a host this machine cannot reach: scripts/getpip_standin.sh puts a stand-in in its cache.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
venv="$root/.venv"
python_version="$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"

scripts/getpip_standin.sh "$venv/bin/python"

# Outside the checkout: inside it, ansible-test would find our .git and skip the ignored copy.
work="$(mktemp -d /tmp/modwsgi-sanity.XXXXXX)"
trap 'rm -rf "$work"' EXIT
tree="$work/ansible_collections/modwsgi/apache"
mkdir -p "$tree"
# Only what git knows (tracked, or new and not ignored): the collection as it would ship.
git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -C "$tree" -xf -
echo "==> ansible-test sanity --python $python_version in $tree"
cd "$tree"
PATH="$venv/bin:$PATH" ansible-test sanity --local --requirements --python "$python_version" "$@"
