# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What embedded mode gave an app, carried into its daemon group (plugins/plugin_utils/_carry.py).

The host side is ``module_utils/_preflight.py``'s ``embedded_python`` (read_apache). The site:
Molecule in_place's Django site (molecule/in_place/files/mysite.conf: Django's documented
embedded set-up with the server-level ``WSGIPythonPath``, which Apache serves in that scenario
before and after the role), placed in Debian 12's captured /etc/apache2 (fixtures/trees) and
read by wsgi_facts' own parser, as the role reads the host. The refusals change one line of it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
from pathlib import Path

import jinja2
import pytest

from ansible_collections.modwsgi.apache.plugins.module_utils import _preflight, _wsgi_facts
from ansible_collections.modwsgi.apache.plugins.plugin_utils import _inplace
from ansible_collections.modwsgi.apache.plugins.plugin_utils._carry import carry
from ansible_collections.modwsgi.apache.plugins.plugin_utils._role_input import validate
from ansible_collections.modwsgi.apache.tests.unit.helpers import (
    DEBIAN, DebianHost, Replay, debian_sysroot, find_debian_bin, tree_digest)

ROOT = Path(__file__).resolve().parents[4]
MYSITE_FILE = ROOT / 'molecule' / 'in_place' / 'files' / 'mysite.conf'
if not MYSITE_FILE.exists():
    # As in test_inplace: the collection's tarball does not ship molecule/.
    pytest.skip('molecule/ is not shipped', allow_module_level=True)
MYSITE = MYSITE_FILE.read_text()
PIP_LOAD = ROOT / 'roles' / 'daemon_mode' / 'templates' / 'modwsgi-pip.load.j2'

OURS = r'/modwsgi-[^/]+\.conf$'
PROBE_URL = '/.well-known/modwsgi-probe'
PROBE_DIR = '/usr/local/share/modwsgi-probe'
ENABLED = '/etc/apache2/sites-enabled/mysite.conf'
AVAILABLE = '/etc/apache2/sites-available/mysite.conf'
LINE = 3  # of WSGIPythonPath in mysite.conf
APP = {'name': 'mysite', 'server_name': 'mysite.test', 'wsgi_script': '/srv/mysite/mysite/wsgi.py',
       'processes': 1, 'threads': 2, 'takeover': 'in_place'}


def normalized(*apps):
    return validate({}, list(apps), PROBE_URL)[1]


class Host(object):
    """Debian 12's captured tree with the Django site enabled, read as the role's preflight reads it."""

    def __init__(self, tmp_path, text=MYSITE):
        self.root = debian_sysroot(tmp_path, '12', 'event')
        self.write(AVAILABLE, text)
        os.symlink('../sites-available/mysite.conf', self.root + ENABLED)

    def write(self, path, text):
        with open(self.root + path, 'w') as handle:
            handle.write(text)

    def text(self):
        with open(self.root + AVAILABLE) as handle:
            return handle.read()

    def read(self):
        """``(facts, embedded_python)``: what the action gets from the host."""
        facts, dummy, parsed = _wsgi_facts.gather_parsed(Replay(os.path.join(DEBIAN, '12', 'event')), find_debian_bin,
                                                         sysroot=self.root)
        return facts, _preflight.embedded_python(parsed, self.root)

    def carry(self, *apps):
        facts, directives = self.read()
        return carry(normalized(*apps), directives, facts)

    def convert(self, *apps):
        """The action's carry, then the in-place plan, written to the site: the converted apps."""
        converted, carried, errors = self.carry(*apps)
        assert errors == []
        facts = self.read()[0]
        paths = _inplace.files_to_read(facts, converted, OURS)
        sources = dict((path, {'content': self.text(), 'real': AVAILABLE, 'mode': '0644', 'owner': 'root',
                               'group': 'root'}) for path in paths)
        for entry in _inplace.plan(facts, converted, sources, OURS, PROBE_URL, PROBE_DIR)['files']:
            self.write(entry['path'], entry['content'])
        return converted, carried


@pytest.fixture
def mysite(tmp_path):
    return Host(tmp_path)


def test_the_host_reads_the_server_level_wsgipythonpath_with_its_file_and_line(mysite):
    assert mysite.read()[1] == [{'directive': 'WSGIPythonPath', 'args': ['/srv/mysite'], 'file': ENABLED,
                                 'line': LINE, 'condition': None, 'managed': False}]


def test_read_apache_returns_it_and_only_reads(mysite):
    before = tree_digest(mysite.root)
    found = _preflight.read_apache(DebianHost('12', mysite.root), find_debian_bin, 'auto', None, sysroot=mysite.root,
                                   proc_root=os.path.join(mysite.root, 'proc'))
    assert [(d['directive'], d['line']) for d in found['embedded_python']] == [('WSGIPythonPath', LINE)]
    assert tree_digest(mysite.root) == before


def test_debian_s_own_tree_has_none_of_them(tmp_path):
    # Debian's wsgi.conf only mentions WSGIPythonPath in comments.
    root = debian_sysroot(tmp_path, '12', 'event')
    parsed = _wsgi_facts.gather_parsed(Replay(os.path.join(DEBIAN, '12', 'event')), find_debian_bin, sysroot=root)[2]
    assert _preflight.embedded_python(parsed, root) == []


def test_in_place_carries_it_into_the_group_and_the_mount_runs_there(mysite):
    converted, carried = mysite.convert(APP)
    assert converted[0]['python_path'] == ['/srv/mysite']
    assert carried == [{
        'app': 'mysite', 'index': 0, 'directive': 'WSGIPythonPath', 'option': 'python-path', 'value': '/srv/mysite',
        'file': ENABLED, 'line': LINE,
        'message': 'mysite: python-path=/srv/mysite, from WSGIPythonPath at %s:%d (embedded mode applied it; daemon '
                   'processes take it from their group only)' % (ENABLED, LINE)}]
    assert ('    WSGIDaemonProcess mysite processes=1 threads=2 display-name=%{GROUP} home=/srv/mysite/mysite '
            'python-path=/srv/mysite server-metrics=On\n') in mysite.text()
    facts = mysite.read()[0]
    mounts = dict((m['url'], (m['mode'], m['process_group'])) for m in facts['mounts'] if m['server'] == 'mysite.test:80')
    assert mounts['/'] == ('daemon', 'mysite')
    assert [g['options'].get('python-path') for g in facts['daemon_groups'] if g['name'] == 'mysite'] == ['/srv/mysite']


def test_a_second_run_carries_the_same_and_changes_nothing(mysite):
    mysite.convert(APP)
    after = mysite.text()
    assert mysite.convert(APP)[1][0]['value'] == '/srv/mysite'
    assert mysite.text() == after


def test_the_app_s_own_python_path_wins(mysite):
    converted, carried, errors = mysite.carry(dict(APP, python_path=['/opt/mysite']))
    assert (converted[0]['python_path'], carried, errors) == (['/opt/mysite'], [], [])


def test_apps_the_role_does_not_convert_get_nothing(mysite):
    # A new app of the role's own (takeover: false) never ran under the server's settings.
    converted, carried, errors = mysite.carry(dict(APP, takeover=False, server_name='other.test'),
                                              {'name': 'gone', 'state': 'absent'})
    assert (converted[0]['python_path'], carried, errors) == ([], [], [])


def test_replace_carries_it_when_the_site_it_takes_over_ran_embedded(mysite):
    converted, carried, errors = mysite.carry(dict(APP, takeover='replace'))
    assert (converted[0]['python_path'], [c['app'] for c in carried], errors) == (['/srv/mysite'], ['mysite'], [])


def test_replace_of_a_site_in_daemon_mode_carries_nothing(tmp_path):
    host = Host(tmp_path, MYSITE.replace('    WSGIScriptAlias / /srv/mysite/mysite/wsgi.py\n',
                                         '    WSGIDaemonProcess old python-path=/srv/mysite\n'
                                         '    WSGIScriptAlias / /srv/mysite/mysite/wsgi.py process-group=old\n'))
    converted, carried, errors = host.carry(dict(APP, takeover='replace'))
    assert (converted[0]['python_path'], carried, errors) == ([], [], [])


def test_replace_keeps_carrying_it_on_the_second_run(tmp_path):
    # After the first run the old site is disabled and the role's own file serves the app from
    # a group that has the value: the second run writes the same group.
    host = Host(tmp_path, MYSITE.replace('    WSGIScriptAlias / /srv/mysite/mysite/wsgi.py\n',
                                         '    WSGIDaemonProcess mysite python-path=/srv/mysite\n'
                                         '    WSGIScriptAlias / /srv/mysite/mysite/wsgi.py process-group=mysite\n'))
    converted, carried, errors = host.carry(dict(APP, takeover='replace'))
    assert (converted[0]['python_path'], errors) == (['/srv/mysite'], [])


@pytest.mark.parametrize('line, carried', [
    ('<IfModule mod_wsgi.c>\nWSGIPythonPath /srv/mysite\n</IfModule>', ['/srv/mysite']),  # the module decides
    ('WSGIPythonPath /srv/mysite:/srv/lib', ['/srv/mysite', '/srv/lib']),
    ('WSGIPythonPath "/srv/mysite"', ['/srv/mysite']),
    ('WSGIPythonPath /srv/mysite\nWSGIPythonPath /srv/mysite', ['/srv/mysite']),  # the same value twice
])
def test_forms_that_are_carried(tmp_path, line, carried):
    host = Host(tmp_path, MYSITE.replace('WSGIPythonPath /srv/mysite', line))
    converted, found, errors = host.carry(APP)
    assert (converted[0]['python_path'], errors) == (carried, [])


@pytest.mark.parametrize('line, reason', [
    ('Define MYSITE\n<IfDefine MYSITE>\nWSGIPythonPath /srv/mysite\n</IfDefine>',
     'the server-level WSGIPythonPath at %s:5, and it is inside <IfDefine MYSITE>, which only Apache decides '
     'when it starts' % ENABLED),
    ('<IfVersion >= 2.4>\nWSGIPythonPath /srv/mysite\n</IfVersion>',
     'the server-level WSGIPythonPath at %s:4, and it is inside <IfVersion >= 2.4>, which only Apache decides '
     'when it starts' % ENABLED),
    ('WSGIPythonPath mysite',
     'the server-level WSGIPythonPath at %s:3, and "mysite" is not an absolute path as the role writes one '
     "(letters, digits, '._@+-'; no space, no quote, no '.' or '..')" % ENABLED),
    ('WSGIPythonPath "/srv/my site"',
     'the server-level WSGIPythonPath at %s:3, and "/srv/my site" is not an absolute path as the role writes one '
     "(letters, digits, '._@+-'; no space, no quote, no '.' or '..')" % ENABLED),
    ('WSGIPythonPath /srv/mysite\nWSGIPythonPath /srv/other',
     'the server-level WSGIPythonPath, set 2 times to different values (%s:3, %s:4)' % (ENABLED, ENABLED)),
])
def test_what_cannot_be_carried_is_refused_naming_file_line_and_the_field(tmp_path, line, reason):
    host = Host(tmp_path, MYSITE.replace('WSGIPythonPath /srv/mysite', line))
    converted, carried, errors = host.carry(APP)
    assert errors == ['modwsgi_apps[0].python_path: mysite ran in embedded mode with %s; its daemon group would '
                      'not have it, and the role does not carry it as it is: set modwsgi_apps[0].python_path' % reason]
    # With the field set, nothing is carried and nothing refused.
    assert host.carry(dict(APP, python_path=['/srv/mysite']))[1:] == ([], [])


def test_conflicting_definitions_in_two_files(tmp_path):
    host = Host(tmp_path)
    host.write('/etc/apache2/conf-enabled/zz-path.conf', 'WSGIPythonPath /srv/elsewhere\n')
    errors = host.carry(APP)[2]
    # In the order Apache reads them: conf-enabled/ before sites-enabled/.
    assert errors and '(/etc/apache2/conf-enabled/zz-path.conf:1, %s:%d)' % (ENABLED, LINE) in errors[0]


def test_wsgipythonhome_is_carried_and_one_that_cannot_be_is_left_to_the_daemons(tmp_path):
    host = Host(tmp_path, MYSITE.replace('WSGIPythonPath /srv/mysite', 'WSGIPythonPath /srv/mysite\n'
                                         'WSGIPythonHome /srv/mysite/venv\nWSGIPythonEggs /var/cache/eggs'))
    converted, carried, errors = host.carry(APP)
    assert (converted[0]['python_home'], converted[0]['daemon_options'], errors) == (
        '/srv/mysite/venv', {'python-eggs': '/var/cache/eggs'}, [])
    assert [(c['directive'], c['option'], c['line']) for c in carried] == [
        ('WSGIPythonPath', 'python-path', 3), ('WSGIPythonHome', 'python-home', 4), ('WSGIPythonEggs', 'python-eggs', 5)]
    # prefix:exec_prefix is not a path the role writes; daemon processes use the server's anyway.
    host.write(AVAILABLE, MYSITE.replace('WSGIPythonPath /srv/mysite', 'WSGIPythonHome /usr/local:/usr/local/lib64'))
    converted, carried, errors = host.carry(APP)
    assert (converted[0]['python_home'], carried, errors) == (None, [], [])


def test_the_role_s_own_wsgipythonhome_is_not_carried(tmp_path):
    # modwsgi_install: pip writes WSGIPythonHome itself (templates/modwsgi-pip.load.j2).
    host = Host(tmp_path)
    text = jinja2.Template(PIP_LOAD.read_text(), keep_trailing_newline=True).render(
        __modwsgi_plan={'marker': 'Managed by modwsgi.apache.daemon_mode'}, modwsgi_pip_version='6.1.1',
        modwsgi_pip_venv='/opt/modwsgi/venv',
        __modwsgi_pip_module_config={'stdout_lines': ['LoadModule wsgi_module "/opt/modwsgi/venv/mod_wsgi.so"',
                                                      'WSGIPythonHome "/opt/modwsgi/venv"']})
    host.write('/etc/apache2/conf-enabled/modwsgi-pip.conf', text)
    found = host.read()[1]
    assert [(d['directive'], d['managed']) for d in found] == [('WSGIPythonHome', True), ('WSGIPythonPath', False)]
    converted, carried, errors = host.carry(APP)
    assert (converted[0]['python_home'], [c['directive'] for c in carried], errors) == (None, ['WSGIPythonPath'], [])
