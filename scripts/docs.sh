#!/usr/bin/env bash
# The documentation site and its lint, from the collection's own docs.
#
#   scripts/docs.sh         build the HTML site into .cache/docs-site/html (make docs)
#   scripts/docs.sh lint    antsibull-docs lint-collection-docs: module, filter and role docs,
#                           their markup and every reference in them (make lint)
#
# The site is antsibull-docs' pages for the modules, filters and the role (from DOCUMENTATION
# and meta/argument_specs.yml), plus the user guide: the Markdown files of docs/, read by
# Sphinx through myst-parser. Sphinx treats every warning as an error.
#
# Only this collection and ansible.builtin are looked at: the collections of the `ansible`
# package in the virtualenv are hidden (ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false), so a
# reference to any other collection is an error, and the lint takes seconds instead of minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
mode="${1:-build}"

say() { printf '==> %s\n' "$*"; }

export PATH="$root/.venv/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$root/.cache/collections"
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
tree="$ANSIBLE_COLLECTIONS_PATH/ansible_collections/modwsgi/apache"
[ -e "$tree/galaxy.yml" ] || { echo "docs: $tree is missing; run make bootstrap" >&2; exit 1; }
command -v antsibull-docs >/dev/null || { echo "docs: antsibull-docs is not in .venv; run make bootstrap" >&2; exit 1; }

case "$mode" in
lint)
    say "antsibull-docs lint-collection-docs --plugin-docs --validate-collection-refs=all (modwsgi.apache)"
    antsibull-docs lint-collection-docs --plugin-docs --validate-collection-refs=all \
        --disallow-unknown-collection-refs --check-extra-docs-refs "$tree"
    say "collection docs: no problem found"
    ;;
build)
    site="$root/.cache/docs-site"
    src="$site/src"
    rm -rf "$site"
    mkdir -p "$src"

    say "antsibull-docs sphinx-init into $src"
    antsibull-docs sphinx-init --use-current --squash-hierarchy --fail-on-error \
        --project modwsgi.apache --title modwsgi.apache --copyright 'modwsgi.apache contributors' \
        --dest-dir "$src" modwsgi.apache >/dev/null
    # The user guide (Markdown) through myst-parser. The build has no network: the one
    # intersphinx inventory is a local stub (below) that sends Ansible's own labels to
    # docs.ansible.com.
    cat >>"$src/conf.py" <<'PY'

# Added by scripts/docs.sh (modwsgi.apache).
extensions.append('myst_parser')
myst_heading_anchors = 3
intersphinx_mapping = {
    'ansible_devel': ('https://docs.ansible.com/projects/ansible/devel/', '../ansible_devel.inv'),
}
PY

    say "intersphinx stub for docs.ansible.com (the labels the generated pages use)"
    "$root/.venv/bin/python" - "$src/ansible_devel.inv" <<'PY'
import sys
import zlib

# name, URI under https://docs.ansible.com/projects/ansible/devel/, title
LABELS = [
    ('common_return_values', 'reference_appendices/common_return_values.html#common-return-values',
     'Return Values'),
    ('ansible_configuration_settings', 'reference_appendices/config.html#ansible-configuration-settings',
     'Ansible Configuration Settings'),
]
body = ''.join('%s std:label -1 %s %s\n' % label for label in LABELS)
with open(sys.argv[1], 'wb') as out:
    out.write(b'# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n'
              b'# The remainder of this file is compressed using zlib.\n')
    out.write(zlib.compress(body.encode('utf-8')))
PY

    say "antsibull-docs collection: module, filter and role pages (rst)"
    mkdir -p "$src/rst"
    chmod og-w "$src/rst"
    antsibull-docs --config-file "$src/antsibull-docs.cfg" collection --cleanup everything \
        --fail-on-error --use-current --squash-hierarchy --dest-dir "$src/rst" modwsgi.apache >/dev/null
    mv "$src/rst/index.rst" "$src/rst/collection.rst"

    say "user guide: docs/*.md, copied to $src/rst/guide/"
    mkdir -p "$src/rst/guide"
    # The guide's reading order first, then any other page of docs/.
    pages=()
    for page in getting_started adhoc role_daemon_mode migration findings audit awx troubleshooting; do
        [ -f "docs/$page.md" ] && pages+=("$page")
    done
    for file in docs/*.md; do
        page="$(basename "$file" .md)"
        [ "$page" = README ] && continue
        [[ " ${pages[*]} " == *" $page "* ]] || pages+=("$page")
    done
    for page in "${pages[@]}"; do
        cp "docs/$page.md" "$src/rst/guide/$page.md"
    done
    {
        printf 'modwsgi.apache\n==============\n\n'
        printf 'Find Python web apps that mod_wsgi runs in embedded mode, move them to daemon mode, '
        printf 'and prove the result against the running Apache.\n\n'
        printf '.. toctree::\n   :maxdepth: 1\n   :caption: User guide\n\n'
        printf '   guide/%s\n' "${pages[@]}"
        printf '\n.. toctree::\n   :maxdepth: 2\n   :caption: Reference\n\n   collection\n   environment_variables\n'
    } >"$src/rst/index.rst"

    say "sphinx-build -W (warnings are errors) into $site/html"
    sphinx-build -q -b html -W --keep-going -c "$src" "$src/rst" "$site/html"
    say "site: $site/html/index.html (${#pages[@]} guide pages, $(find "$site/html" -name '*.html' | wc -l) HTML pages)"
    ;;
*)
    echo "usage: scripts/docs.sh [build|lint]" >&2
    exit 2
    ;;
esac
