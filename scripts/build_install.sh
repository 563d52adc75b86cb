#!/usr/bin/env bash
# Build the collection tarball and check it as it ships: galaxy-importer (what Galaxy runs on
# upload; the release check) passes with no warning, the unit tests shipped in it pass from the
# installed tarball, a module and the audit_merge playbook run from that install (not from the
# checkout), and ansible-builder makes the execution environment's build context.
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

echo "==> ansible-galaxy collection install -r requirements.yml: a git source and the tarball"
# As docs/getting_started.md shows users: a requirements file with the repository as a git
# source (here this checkout's committed HEAD, by a file:// URL) and, in another path, the
# tarball as a file source.
head="$(git rev-parse HEAD)"
for kind in git file; do
    if [ "$kind" = git ]; then source="git+file://$PWD"; version="version: $head"
    else source="$tarball"; version=""; fi
    printf 'collections:\n  - name: %s\n    type: %s\n    %s\n' "$source" "$kind" "$version" >"$work/requirements-$kind.yml"
    ansible-galaxy collection install --force -p "$work/from-$kind" -r "$work/requirements-$kind.yml" \
        >"$work/install-$kind.log" 2>&1 || { cat "$work/install-$kind.log" >&2; echo "build_install: install from a $kind source failed" >&2; exit 1; }
    got="$work/from-$kind/ansible_collections/modwsgi/apache"
    if [ ! -f "$got/plugins/modules/mpm_facts.py" ] || [ ! -f "$got/MANIFEST.json" ]; then
        echo "build_install: the $kind source installed no collection in $got" >&2; exit 1
    fi
    echo "    from a $kind source: $(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["collection_info"]; print(m["namespace"]+"."+m["name"], m["version"])' "$got/MANIFEST.json")"
done

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
# Only the json callback: scripts/molecule.sh enables ansible.posix.profile_tasks, whose timing
# line would come before the JSON on stdout.
env -u ANSIBLE_CALLBACKS_ENABLED ANSIBLE_LOAD_CALLBACK_PLUGINS=1 ANSIBLE_STDOUT_CALLBACK=ansible.builtin.json \
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

echo "==> ansible-playbook modwsgi.apache.audit_merge (from the installed tarball)"
# The demo's captured fleet report (tests/unit/fixtures/demo/after, see its README), cut into
# two slices as AWX job slicing cuts an inventory; merged back, it is the same fleet report.
merge="$work/merge"
mkdir -p "$merge/slice0" "$merge/slice1"
python3 - tests/unit/fixtures/demo/after/report.json "$merge" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
for index in (0, 1):
    part = dict(report, hosts=report['hosts'][index::2])
    json.dump(part, open('%s/slice%d/report.json' % (sys.argv[2], index), 'w'))
with open('%s/inventory.ini' % sys.argv[2], 'w') as handle:
    handle.write(''.join(host['host'] + '\n' for host in report['hosts']))
PY
ansible-playbook -i "$merge/inventory.ini" modwsgi.apache.audit_merge \
    -e "{\"modwsgi_audit_merge\": [\"$merge/slice0/report.json\", \"$merge/slice1/report.json\"], \"modwsgi_audit_output_dir\": \"$merge/out\"}" \
    >"$merge/playbook.log" 2>&1 || { cat "$merge/playbook.log" >&2; echo "build_install: audit_merge failed" >&2; exit 1; }
python3 - tests/unit/fixtures/demo/after/report.json "$merge/out" <<'PY'
import json, os, sys
before = json.load(open(sys.argv[1]))
after = json.load(open(os.path.join(sys.argv[2], 'report.json')))
assert after['hosts'] == before['hosts'], 'the merged hosts differ from the one-run report'
assert after['summary'] == before['summary'], (after['summary'], before['summary'])
for name in ('report.md', 'report.html'):
    assert os.path.getsize(os.path.join(sys.argv[2], name)) > 0, name
print('    two slices merged into the one-run report: %d hosts, summary equal; md, html, json'
      % len(after['hosts']))
PY
# A report that does not match docs/report.schema.json (the installed copy): the run stops with
# the path of the bad value, before writing anything, and no traceback.
python3 - "$merge/slice1/report.json" "$merge/bad.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
report['hosts'][0]['mod_wsgi']['mounts'] = {'url': '/'}
json.dump(report, open(sys.argv[2], 'w'))
PY
if ansible-playbook -i "$merge/inventory.ini" modwsgi.apache.audit_merge \
    -e "{\"modwsgi_audit_merge\": [\"$merge/slice0/report.json\", \"$merge/bad.json\"], \"modwsgi_audit_output_dir\": \"$merge/bad-out\"}" \
    >"$merge/bad.log" 2>&1; then
    cat "$merge/bad.log" >&2; echo "build_install: audit_merge took a report with mounts as a dict" >&2; exit 1
fi
if ! grep -q 'audit_merge: reports\[1\]\.hosts\[0\]\.mod_wsgi\.mounts: expected a list, got a dict' "$merge/bad.log" \
    || grep -q Traceback "$merge/bad.log" || [ -e "$merge/bad-out" ]; then
    cat "$merge/bad.log" >&2; echo "build_install: a bad report must fail by its path, with nothing written" >&2; exit 1
fi
echo "    a report with a bad value is refused by its path: $(grep -o 'reports\[1\][^"]*expected a list, got a dict[^"]*' "$merge/bad.log" | head -n 1)"

echo "==> ansible-builder create (the execution environment's build context)"
"$release/ansible-builder" create -f meta/execution-environment.yml -c "$work/ee-context" >/dev/null
[ -f "$work/ee-context/Containerfile" ] || { echo "build_install: ansible-builder made no Containerfile" >&2; exit 1; }
echo "    $work/ee-context/Containerfile: $(grep -c '^RUN' "$work/ee-context/Containerfile") RUN steps"
echo "==> ansible-builder introspect (the installed tarball's controller requirements)"
# What an execution environment that installs this collection adds for it: requirements.txt,
# through meta/execution-environment.yml, read from the installed collection.
"$release/ansible-builder" introspect "$work/collections" >"$work/introspect.yml"
grep -q "jsonschema.*# from collection modwsgi.apache" "$work/introspect.yml" \
    || { cat "$work/introspect.yml" >&2; echo "build_install: introspect finds no jsonschema in the installed collection" >&2; exit 1; }
echo "    $(grep "from collection modwsgi.apache" "$work/introspect.yml" | sed "s/^- //")"
