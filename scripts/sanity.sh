#!/usr/bin/env bash
# Run `ansible-test sanity` on a copy of the collection in an ansible_collections/ tree.
#
# ansible-test bootstraps pip in each of its virtualenvs with a get-pip script it downloads
# from a host this machine cannot reach. We give it a stand-in in its cache instead: the
# stand-in installs pip with ensurepip, then runs `pip install` with the same arguments
# (less the get-pip-only flags). ansible-test then never downloads.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
venv="$root/.venv"
python_version="$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"

pip_version="$(sed -n "s/^ *pip='\([0-9.]*\)',\$/\1/p" \
    "$("$venv/bin/python" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')/_internal/python_requirements.py" | head -n 1)"
[ -n "$pip_version" ] || { echo "sanity: cannot tell which pip ansible-test bootstraps" >&2; exit 1; }
standin="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
mkdir -p "$(dirname "$standin")"
cat >"$standin" <<'PY'
# Stand-in for the get-pip script ansible-test downloads (written by modwsgi.apache's
# scripts/sanity.sh): install pip with ensurepip, then `pip install` what was asked for.
import ensurepip
import os
import subprocess
import sys

ensurepip.bootstrap()
args = [a for a in sys.argv[1:] if a not in ('--no-setuptools', '--no-wheel')]
bundle = '/etc/ssl/certs/ca-certificates.crt'
cert = ['--cert', bundle] if os.path.exists(bundle) else []
sys.exit(subprocess.call([sys.executable, '-m', 'pip', 'install'] + cert + args))
PY
echo "==> ansible-test: pip $pip_version bootstrap stand-in at $standin"

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
