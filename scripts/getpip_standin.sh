#!/usr/bin/env bash
# Usage: getpip_standin.sh PYTHON
#
# ansible-test bootstraps pip in each of its virtualenvs with a get-pip script it downloads
# from a host this machine cannot reach. This writes a stand-in into its cache instead, for the
# ansible-test that PYTHON imports (each ansible-core names its own pip versions, an older one
# for old Pythons such as 3.6): the stand-in
# installs pip with ensurepip, then runs `pip install` with the same arguments (less the
# get-pip-only flags). ansible-test then never downloads. Used by scripts/sanity.sh and by the
# version matrix (noxfile.py), for every ansible-core.
set -euo pipefail
python="$1"
pip_versions="$(sed -n "s/^ *pip='\([0-9.]*\)',.*\$/\1/p" \
    "$("$python" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')/_internal/python_requirements.py")"
[ -n "$pip_versions" ] || { echo "getpip_standin: cannot tell which pip ansible-test bootstraps" >&2; exit 1; }
for pip_version in $pip_versions; do
standin="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
mkdir -p "$(dirname "$standin")"
# Written beside it, then renamed: sanity and the matrix run at once in `make test`, and an
# ansible-test must never read a half-written file.
cat >"$standin.$$" <<'PY'
# Stand-in for the get-pip script ansible-test downloads (written by modwsgi.apache's
# scripts/getpip_standin.sh): install pip with ensurepip, then `pip install` what was asked for.
import ensurepip
import os
import subprocess
import sys

ensurepip.bootstrap()
# The pip 18 that Python 3.6's ensurepip runs in this process leaves PIP_REQ_TRACKER set to a
# directory it has removed; the pip below would fail on it.
os.environ.pop('PIP_REQ_TRACKER', None)
args = [a for a in sys.argv[1:] if a not in ('--no-setuptools', '--no-wheel')]
bundle = '/etc/ssl/certs/ca-certificates.crt'
cert = ['--cert', bundle] if os.path.exists(bundle) else []
sys.exit(subprocess.call([sys.executable, '-m', 'pip', 'install'] + cert + args))
PY
mv -f "$standin.$$" "$standin"
echo "==> ansible-test: pip $pip_version bootstrap stand-in at $standin"
done
