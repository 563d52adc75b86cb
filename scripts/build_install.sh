#!/usr/bin/env bash
# Build the collection tarball, install it into a temporary path, and run a module from that
# install (not from the checkout): proves the artifact users get is complete.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "==> ansible-galaxy collection build"
ansible-galaxy collection build --force --output-path "$work/dist" . >/dev/null
tarball="$(ls "$work"/dist/modwsgi-apache-*.tar.gz)"
echo "    built $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KiB)"
echo "==> ansible-galaxy collection install into a temporary path"
# Only the temporary path is configured, and --force: galaxy must not find the checkout that
# the test environment links in ANSIBLE_COLLECTIONS_PATH and decide nothing needs installing.
export ANSIBLE_COLLECTIONS_PATH="$work/collections"
ansible-galaxy collection install --offline --force -p "$work/collections" "$tarball" >/dev/null
installed="$work/collections/ansible_collections/modwsgi/apache"
[ -f "$installed/plugins/modules/mpm_facts.py" ] || { echo "build_install: nothing was installed in $installed" >&2; exit 1; }
echo "==> ansible localhost -m modwsgi.apache.mpm_facts (from the installed tarball)"
out="$work/adhoc.json"
ANSIBLE_LOAD_CALLBACK_PLUGINS=1 ANSIBLE_STDOUT_CALLBACK=ansible.builtin.json \
    ansible localhost -c local -m modwsgi.apache.mpm_facts >"$out"
python3 - "$out" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
result = data['plays'][0]['tasks'][0]['hosts']['localhost']
assert not result.get('failed'), result
apache = result['ansible_facts']['apache']
assert 'installed' in apache, apache
print('    mpm_facts from the tarball: installed=%s layout=%s mpm=%s'
      % (apache['installed'], apache.get('layout'), (apache.get('mpm') or {}).get('name')))
PY
