#!/usr/bin/env bash
# Build the collection tarball and check it as it ships: galaxy-importer (what Galaxy runs on
# upload; the release check) passes with no warning, the unit tests shipped in it pass from the
# installed tarball, a module runs from that install (not from the checkout), and
# ansible-builder makes the execution environment's build context.
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

release="$PWD/.cache/release-venv/bin"
echo "==> galaxy-importer (the release check: what Galaxy runs on upload)"
# It writes importer_result.json into the current directory.
(cd "$work" && PATH="$release:$PATH" GALAXY_IMPORTER_CONFIG="$PWD/scripts/galaxy-importer.cfg" \
    "$release/python" -m galaxy_importer.main "$tarball" >"$work/importer.log" 2>&1) \
    || { cat "$work/importer.log" >&2; echo "build_install: galaxy-importer failed" >&2; exit 1; }
if grep -Ei 'warning|error' "$work/importer.log" >&2; then
    echo "build_install: galaxy-importer warned (above); Galaxy would show it" >&2
    exit 1
fi
echo "    $(tail -n 1 "$work/importer.log")"

echo "==> unit tests shipped in the tarball, from the installed copy"
(cd "$installed" && PYTHONPATH="$work/collections" python -m pytest -q -p no:cacheprovider tests/unit) \
    >"$work/unit.log" 2>&1 || { cat "$work/unit.log" >&2; echo "build_install: a shipped test fails from the tarball" >&2; exit 1; }
echo "    $(tail -n 1 "$work/unit.log")"
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

echo "==> ansible-builder create (the execution environment's build context)"
"$release/ansible-builder" create -f meta/execution-environment.yml -c "$work/ee-context" >/dev/null
[ -f "$work/ee-context/Containerfile" ] || { echo "build_install: ansible-builder made no Containerfile" >&2; exit 1; }
echo "    $work/ee-context/Containerfile: $(grep -c '^RUN' "$work/ee-context/Containerfile") RUN steps"
