# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fuzz: the config reader and the mod_wsgi analysis never raise, whatever the configuration.

Seeds are real configurations, never invented ones:

- Debian 12's and 13's captured ``/etc/apache2`` (``fixtures/trees``), read whole, with
  Debian 12's captured ``-V``/``-S``/``-M`` (``fixtures/debian``) through the path
  ``wsgi_facts`` takes on a host (:func:`_wsgi_facts.gather`);
- every text file of ``fixtures/public`` (el8, el9, source, suse15) and ``fixtures/trees/el9``,
  mod_wsgi-express's MPM blocks (``fixtures/mpm_sizing``) and the third-party file of
  ``fixtures/debian/configtest``;
- the 12 published configurations and the layouts that the Molecule ``audit`` scenario
  loads (``molecule/audit/files``, see ``corpus/PROVENANCE.md``), when present: the
  collection's tarball does not ship ``molecule/``.

Each example mutates one file of one seed: lines deleted, duplicated, moved, truncated,
joined or garbled, words swapped or replaced by words of other seeds, lines of other seeds
inserted (which unbalances sections). It then runs the reader, the analysis, the facts
``wsgi_facts`` returns and ``resolve`` on URLs drawn from the configuration, and checks that
nothing raised, that the facts are JSON, and that every finding is well formed.

``make unit`` runs this under the Hypothesis profile ``ci`` (a fixed set of examples),
``make fuzz`` under ``fuzz`` (many more, new each run); see tests/unit/conftest.py. Whatever it
finds becomes a plain test in test_config_robust.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import shutil
import tempfile

import pytest

from ansible_collections.modwsgi.apache.plugins.module_utils import _config
from ansible_collections.modwsgi.apache.plugins.module_utils import _mpm_facts
from ansible_collections.modwsgi.apache.plugins.module_utils import _wsgi_facts
from ansible_collections.modwsgi.apache.plugins.module_utils._wsgi_url import parse_url
from ansible_collections.modwsgi.apache.tests.unit.helpers import DEBIAN, FIXTURES, TREES, Replay, find_debian_bin
from ansible_collections.modwsgi.apache.tests.unit.test_docs_findings import SECTIONS

hypothesis = pytest.importorskip('hypothesis')
st = pytest.importorskip('hypothesis.strategies')

pytestmark = pytest.mark.fuzz

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))))
MOLECULE_FILES = os.path.join(ROOT, 'molecule', 'audit', 'files')
MODULES = ['core.c', 'mod_so.c', 'http_core.c', 'mod_alias.c', 'mod_wsgi.c']
MAIN = '/etc/httpd/conf/httpd.conf'
SEVERITIES = ('error', 'warning', 'info')
FINDING_KEYS = {'code', 'severity', 'message', 'file', 'line'}
RESOLVED_KEYS = {'url', 'server', 'mount', 'process_group', 'application_group', 'mode',
                 'decided_by', 'code', 'reason', 'served_by'}


def _read(path):
    with open(path, 'rb') as handle:
        return handle.read().decode('utf-8', 'replace')


def _files_under(base, keep=lambda name: True):
    found = []
    for directory, dirs, names in os.walk(base):
        dirs.sort()
        for name in sorted(names):
            path = os.path.join(directory, name)
            if keep(name) and os.path.isfile(path) and not os.path.islink(path):
                found.append(path)
    return found


def _single_seeds():
    """``[(name, text)]``: the configurations read alone, as httpd.conf."""
    paths = _files_under(os.path.join(FIXTURES, 'public'), lambda n: n != 'README.md')
    paths += _files_under(os.path.join(TREES, 'el9', 'etc'))
    paths += _files_under(os.path.join(FIXTURES, 'mpm_sizing'), lambda n: n.endswith('.conf'))
    paths += _files_under(os.path.join(DEBIAN, 'configtest'), lambda n: n.endswith('.conf'))
    paths += _files_under(MOLECULE_FILES, lambda n: n.endswith('.conf'))
    return [(os.path.relpath(p, ROOT), _read(p)) for p in paths]


SINGLE = _single_seeds()
DEBIAN_TREES = ('12', '13')
TREE_FILES = dict((version, [os.path.relpath(p, os.path.join(TREES, 'debian' + version))
                             for p in _files_under(os.path.join(TREES, 'debian' + version, 'etc'))])
                  for version in DEBIAN_TREES)
ALL_TEXTS = [text for dummy, text in SINGLE] + [
    _read(os.path.join(TREES, 'debian' + v, rel)) for v in DEBIAN_TREES for rel in TREE_FILES[v]]
ALL_LINES = sorted(set(line for text in ALL_TEXTS for line in text.splitlines() if line.strip()))
WORDS = sorted(set(word for line in ALL_LINES for word in line.split()))
# Characters that mean something to httpd's reader or to a regular expression, and a few others.
ALPHABET = list('<>/\\"\'$%{}()[]*?+^|.:#~!=, \t0123456789azAZ_-') + ['\0', '\xe9', '\u2603']


def _scripts():
    """The files and directories the seeds name (scripts, aliases, document roots), so that
    ``resolve`` walks to real files as it would on a host."""
    files, dirs = set(), set()
    for line in ALL_LINES:
        words = line.split()
        if len(words) < 2:
            continue
        name = words[0].lower()
        paths = [w.strip('"\'') for w in words[1:3] if w.strip('"\'').startswith('/')]
        if name in ('wsgiscriptalias', 'alias', 'scriptalias', 'wsgiimportscript') and paths:
            target = paths[-1]
            (dirs if target.endswith('/') or '.' not in os.path.basename(target) else files).add(target)
        elif name in ('documentroot', '<directory') and paths:
            dirs.add(paths[0].rstrip('>'))
    return sorted(files), sorted(dirs)


def _populate(root):
    files, dirs = _scripts()
    for directory in dirs:
        path = os.path.join(root, directory.lstrip('/'))
        if not os.path.exists(path):
            os.makedirs(path)
    for name in files:
        path = os.path.join(root, name.lstrip('/'))
        if not os.path.isdir(os.path.dirname(path)):
            os.makedirs(os.path.dirname(path))
        if not os.path.exists(path):
            with open(path, 'w') as handle:
                handle.write('')


class Hosts(object):
    """One sysroot per Debian tree and one for the configurations read alone, made once."""

    def __init__(self):
        self.base = tempfile.mkdtemp(prefix='modwsgi-fuzz-')
        self.roots = {}
        for version in DEBIAN_TREES:
            root = os.path.join(self.base, 'debian' + version)
            shutil.copytree(os.path.join(TREES, 'debian' + version, 'etc'),
                            os.path.join(root, 'etc'), symlinks=True)
            _populate(root)
            self.roots[version] = root
        self.single = os.path.join(self.base, 'single')
        os.makedirs(os.path.join(self.single, 'etc', 'httpd', 'conf'))
        _populate(self.single)
        replay = Replay(os.path.join(DEBIAN, '12', 'event'))
        self.event = _mpm_facts.gather(replay, find_debian_bin, self.roots['12'], processes=False)[0]
        broken = Replay(os.path.join(DEBIAN, '12', 'broken'))
        self.broken = _mpm_facts.gather(broken, find_debian_bin, self.roots['12'], processes=False)[0]

    def close(self):
        shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture(scope='module')
def hosts():
    made = Hosts()
    yield made
    made.close()


# -- the mutations ---------------------------------------------------------------------------

OPS = ('delete', 'duplicate', 'move', 'truncate', 'garble', 'insert_char', 'swap_words',
       'replace_word', 'insert_line', 'join', 'continue')

mutation = st.tuples(st.sampled_from(OPS), st.integers(0, 10 ** 4), st.integers(0, 10 ** 4),
                     st.sampled_from(WORDS), st.sampled_from(ALPHABET), st.sampled_from(ALL_LINES))
mutations = st.lists(mutation, min_size=1, max_size=8)


def mutate(text, ops):
    """``text`` with each of ``ops`` applied in turn (see OPS); indexes wrap around."""
    lines = text.splitlines()
    for op, a, b, word, char, other in ops:
        if op == 'insert_line' or not lines:
            lines.insert(a % (len(lines) + 1), other)
            continue
        i = a % len(lines)
        line = lines[i]
        words = line.split()
        if op == 'delete':
            del lines[i]
        elif op == 'duplicate':
            lines.insert(i, line)
        elif op == 'move':
            lines.insert(b % len(lines), lines.pop(i))
        elif op == 'truncate':
            lines[i] = line[:b % (len(line) + 1)]
        elif op == 'garble' and line:
            k = b % len(line)
            lines[i] = line[:k] + char + line[k + 1:]
        elif op == 'insert_char':
            k = b % (len(line) + 1)
            lines[i] = line[:k] + char + line[k:]
        elif op == 'swap_words' and len(words) > 1:
            j, k = a % len(words), b % len(words)
            words[j], words[k] = words[k], words[j]
            lines[i] = ' '.join(words)
        elif op == 'replace_word' and words:
            words[b % len(words)] = word
            lines[i] = ' '.join(words)
        elif op == 'join' and i + 1 < len(lines):
            lines[i:i + 2] = [line + lines[i + 1]]
        elif op == 'continue':
            lines[i] = line + '\\'
    return '\n'.join(lines) + '\n'


# -- URLs drawn from the configuration ---------------------------------------------------------

SUFFIXES = ('', 'x', '/', '/x', '/a/b.wsgi/more', '//double')


def _candidates(texts):
    hosts, ports, paths = {'localhost'}, {80, 443}, {'/'}
    for text in texts:
        for line in text.splitlines():
            words = line.replace('>', ' ').replace('"', ' ').split()
            if not words:
                continue
            name = words[0].lower().lstrip('<')
            if name in ('servername', 'serveralias'):
                hosts.update(w.lower() for w in words[1:] if not any(c in w for c in '*?[/'))
            for word in words[1:]:
                if word.startswith('/'):
                    paths.add(word)
                port = word.rpartition(':')[2] if name in ('listen', 'virtualhost') else ''
                if port.isdigit() and 0 < int(port) < 65536:
                    ports.add(int(port))
    return sorted(hosts), sorted(ports), sorted(paths)


def draw_urls(data, texts):
    hosts, ports, paths = _candidates(texts)
    parts = data.draw(st.lists(st.tuples(st.sampled_from(('http', 'https')), st.sampled_from(hosts),
                                         st.sampled_from(ports), st.sampled_from(paths),
                                         st.sampled_from(SUFFIXES)),
                               min_size=1, max_size=5), label='urls')
    urls = []
    for scheme, host, port, path, suffix in parts:
        url = '%s://%s:%d%s%s' % (scheme, host, port, path, suffix)
        try:
            parse_url(url)
        except ValueError:
            continue  # the module refuses it before it reads Apache (wsgi_facts' main)
        urls.append(url)
    return urls


# -- what must hold ----------------------------------------------------------------------------

def check_facts(facts, apache, urls):
    json.dumps(facts)  # what the module returns is JSON
    for finding in facts['findings']:
        assert set(finding) == FINDING_KEYS, finding
        assert finding['code'] in SECTIONS, finding  # documented in docs/findings.md
        assert finding['severity'] in SEVERITIES, finding
        assert finding['line'] is None or isinstance(finding['line'], int), finding
        ours = finding['code'] == 'config_unreadable' or (
            finding['code'] == 'config_invalid' and not finding['message'].startswith('Apache rejects'))
        if ours:
            assert finding['file'] and isinstance(finding['line'], int), finding
    for mount in facts['mounts']:
        assert mount['mode'] in ('embedded', 'daemon', 'unknown'), mount
    assert [r['url'] for r in facts.get('resolved', [])] == urls
    for resolved in facts.get('resolved', []):
        assert set(resolved) == RESOLVED_KEYS, resolved
        assert resolved['mode'] in (None, 'embedded', 'daemon', 'unknown'), resolved


def write(root, path, text):
    with open(os.path.join(root, path.lstrip('/')), 'wb') as handle:
        handle.write(text.encode('utf-8'))


@hypothesis.given(data=st.data(), seed=st.sampled_from(SINGLE), ops=mutations,
                  apache=st.sampled_from(('none', 'event', 'broken')))
def test_a_mutated_configuration_never_raises(hosts, data, seed, ops, apache):
    """A configuration read alone: the reader, the analysis, the facts and resolve."""
    text = mutate(seed[1], ops)
    write(hosts.single, MAIN, text)
    urls = draw_urls(data, [text])
    apache_facts = {'none': {}, 'event': hosts.event, 'broken': hosts.broken}[apache]
    parsed = _config.parse(MAIN, '/etc/httpd', modules=MODULES, version='2.4.62',
                           sysroot=hosts.single)
    for error in parsed.errors:
        assert set(error) == {'message', 'file', 'line'} and error['file'], error
    analysis = _wsgi_facts.analyse(parsed, apache_facts, None, sysroot=hosts.single)
    json.dumps(analysis.facts())
    for url in urls:
        analysis.resolve(url)
    check_facts(_wsgi_facts.mod_wsgi_facts(apache_facts, parsed, hosts.single, urls), apache_facts, urls)


@hypothesis.given(data=st.data(), version=st.sampled_from(DEBIAN_TREES), pick=st.integers(0, 10 ** 4),
                  seed=st.sampled_from([('', '')] + SINGLE), ops=mutations)
def test_a_mutated_debian_host_never_raises(hosts, data, version, pick, seed, ops):
    """Debian's whole tree, one file of it mutated (or one seed added as a site, mutated),
    through the path wsgi_facts takes on a host, with Debian 12's captured command outputs."""
    root = hosts.roots[version]
    if seed[0]:
        path = '/etc/apache2/sites-enabled/zz-fuzz.conf'
        original = None
        text = mutate(seed[1], ops)
    else:
        rel = TREE_FILES[version][pick % len(TREE_FILES[version])]
        path = '/' + rel
        original = _read(os.path.join(TREES, 'debian' + version, rel))
        text = mutate(original, ops)
    write(root, path, text)
    try:
        urls = draw_urls(data, [text, original or ''])
        facts, apache = _wsgi_facts.gather(Replay(os.path.join(DEBIAN, '12', 'event')), find_debian_bin,
                                           sysroot=root, resolve=urls)
        json.dumps(apache)
        check_facts(facts, apache, urls)
    finally:
        if original is None:
            os.unlink(os.path.join(root, path.lstrip('/')))
        else:
            shutil.copyfile(os.path.join(TREES, 'debian' + version, rel), os.path.join(root, rel))
