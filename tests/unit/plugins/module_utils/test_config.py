"""The config reader, on Debian's real default trees and on small trees that pin one rule each.

The Debian trees are /etc/apache2 as the packages install it (captured by
fixtures/debian/capture.sh, copied into fixtures/trees/).
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os

import pytest

from ansible_collections.modwsgi.apache.plugins.module_utils import _config
from ansible_collections.modwsgi.apache.tests.unit.helpers import TREES


def parse_tree(version, **kwargs):
    return _config.parse('apache2.conf', '/etc/apache2',
                         env={'APACHE_LOG_DIR': '/var/log/apache2', 'APACHE_RUN_USER': 'www-data',
                              'APACHE_RUN_GROUP': 'www-data', 'APACHE_PID_FILE': '/run/x.pid',
                              'APACHE_RUN_DIR': '/run/apache2', 'APACHE_LOCK_DIR': '/run/lock'},
                         modules=['core.c', 'mod_so.c', 'http_core.c', 'mod_log_config.c',
                                  'mod_logio.c', 'mod_version.c', 'mod_unixd.c'],
                         sysroot=os.path.join(TREES, 'debian%s' % version), **kwargs)


@pytest.mark.parametrize('version', ('12', '13'))
def test_debian_default_tree(version):
    parsed = parse_tree(version)
    assert parsed.errors == []
    assert parsed.files[0] == '/etc/apache2/apache2.conf'
    # Include order: mods-enabled *.load before *.conf, then ports, conf, sites.
    order = [f for f in parsed.files if f != '/etc/apache2/apache2.conf']
    loads = [i for i, f in enumerate(order) if f.endswith('.load')]
    confs = [i for i, f in enumerate(order) if f.startswith('/etc/apache2/mods-enabled/')
             and f.endswith('.conf')]
    assert max(loads) < min(confs)
    assert order.index('/etc/apache2/ports.conf') > max(confs)
    assert order[-1] == '/etc/apache2/sites-enabled/000-default.conf'
    assert parsed.modules['mpm_event_module']['file'] == '/etc/apache2/mods-enabled/mpm_event.load'
    assert parsed.modules['wsgi_module']['source'] == 'mod_wsgi.c'
    # ${APACHE_LOG_DIR} came from the environment.
    assert parsed.last('ErrorLog').args == ['/var/log/apache2/error.log']
    # The event MPM's limits are at server level (their IfModule is flattened away).
    assert parsed.last('MaxRequestWorkers').file == '/etc/apache2/mods-enabled/mpm_event.conf'
    vhosts = list(parsed.root.iter('VirtualHost'))
    assert [v.args for v in vhosts] == [['*:80']]
    assert vhosts[0].where == '/etc/apache2/sites-enabled/000-default.conf:1'


def write(tmp_path, name, text):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


def parse_text(tmp_path, text, **kwargs):
    main = write(tmp_path, 'httpd.conf', text)
    return _config.parse(main, str(tmp_path), **kwargs)


def test_continuations_quotes_and_comments(tmp_path):
    parsed = parse_text(tmp_path, '# comment \\\nstill comment\n'
                                  'WSGIDaemonProcess app \\\n   processes=2 \\\n'
                                  '   display-name="%{GROUP} x" \'single q\' "a \\"q\\" b"\n'
                                  '  servername   example.org   \n')
    daemon, name = parsed.server_directives()
    # As in httpd, a quote counts only at the start of a word: an option=value with a space
    # inside quotes splits in two.
    assert daemon.args == ['app', 'processes=2', 'display-name="%{GROUP}', 'x"', 'single q',
                           'a "q" b']
    assert daemon.line == 3
    assert name.lname == 'servername' and name.line == 6


def test_ifmodule_both_forms_and_negation(tmp_path):
    parsed = parse_text(tmp_path, 'LoadModule wsgi_module modules/mod_wsgi.so\n'
                                  '<IfModule mod_wsgi.c>\nA 1\n</IfModule>\n'
                                  '<IfModule wsgi_module>\nB 1\n</IfModule>\n'
                                  '<IfModule !wsgi_module>\nC 1\n</IfModule>\n'
                                  '<IfModule php_module>\nD 1\n</IfModule>\n'
                                  '<IfModule !mod_php.c>\n<IfModule core.c>\nE 1\n</IfModule>\n'
                                  '</IfModule>\n',
                        modules=['core.c'])
    assert [n.name for n in parsed.server_directives()] == ['LoadModule', 'A', 'B', 'E']


# mod_wsgi's .so under other names: EL 9's (10-wsgi-python3.conf, tests/images/el9/conf/) and
# the one `mod_wsgi-express module-config` prints for a pip build. Its source is mod_wsgi.c.
@pytest.mark.parametrize('so_path', [
    'modules/mod_wsgi_python3.so',
    '/opt/venv/lib/python3.11/site-packages/mod_wsgi/server/'
    'mod_wsgi-py311.cpython-311-x86_64-linux-gnu.so',
])
def test_ifmodule_mod_wsgi_c_whatever_the_so_is_called(tmp_path, so_path):
    parsed = parse_text(tmp_path, '<IfModule !wsgi_module>\nLoadModule wsgi_module %s\n'
                                  '</IfModule>\n<IfModule mod_wsgi.c>\nA 1\n</IfModule>\n'
                                  '<IfModule !mod_wsgi.c>\nB 1\n</IfModule>\n' % so_path)
    assert parsed.modules['wsgi_module']['source'] == 'mod_wsgi.c'
    assert [n.name for n in parsed.server_directives()] == ['LoadModule', 'A']


def test_ifmodule_source_name_of_other_modules_follows_the_so(tmp_path):
    parsed = parse_text(tmp_path, 'LoadModule rpaf_module modules/mod_rpaf-2.0.so\n'
                                  '<IfModule mod_rpaf-2.0.c>\nA 1\n</IfModule>\n')
    assert [n.name for n in parsed.server_directives()] == ['LoadModule', 'A']


def test_ifmodule_sees_only_modules_loaded_so_far(tmp_path):
    parsed = parse_text(tmp_path, '<IfModule wsgi_module>\nEarly 1\n</IfModule>\n'
                                  'LoadModule wsgi_module modules/mod_wsgi.so\n'
                                  '<IfModule wsgi_module>\nLate 1\n</IfModule>\n')
    assert [n.name for n in parsed.server_directives()] == ['LoadModule', 'Late']


def test_define_ifdefine_and_variables(tmp_path):
    parsed = parse_text(tmp_path, 'Define APP shop\nDefine PORT 8080\n'
                                  '<IfDefine APP>\nServerName ${APP}.example:${PORT}\n</IfDefine>\n'
                                  '<IfDefine !FROM_CLI>\nX no\n</IfDefine>\n'
                                  '<IfDefine FROM_CLI>\nY yes\n</IfDefine>\n'
                                  'UnDefine APP\n<IfDefine APP>\nZ 1\n</IfDefine>\n'
                                  'Listen ${MISSING}\n',
                        defines={'FROM_CLI': ''})
    names = [(n.name, n.args) for n in parsed.server_directives()]
    assert ('ServerName', ['shop.example:8080']) in names
    assert ('Y', ['yes']) in names and ('X', ['no']) not in names
    assert not [n for n in names if n[0] == 'Z']
    assert ('Listen', ['${MISSING}']) in names
    assert parsed.errors == [{'message': 'Config variable ${MISSING} is not defined',
                              'file': str(tmp_path / 'httpd.conf'), 'line': 16}]


@pytest.mark.parametrize('condition,expected', [
    ('>= 2.4', True), ('< 2.4', False), ('= 2.4.62', True), ('2.4.62', True),
    ('!= 2.4.62', False), ('> 2.4.61', True), ('<= 2.2', False),
    ('~ ^2\\.4', True), ('/^2\\.2/', False),
])
def test_ifversion(tmp_path, condition, expected):
    parsed = parse_text(tmp_path, '<IfVersion %s>\nHit 1\n</IfVersion>\n' % condition,
                        version='2.4.62')
    assert bool(parsed.server_directives('Hit')) is expected


def test_iffile(tmp_path):
    write(tmp_path, 'present.txt', '')
    parsed = parse_text(tmp_path, '<IfFile present.txt>\nA 1\n</IfFile>\n'
                                  '<IfFile !present.txt>\nB 1\n</IfFile>\n'
                                  '<IfFile /nonexistent/x>\nC 1\n</IfFile>\n')
    assert [n.name for n in parsed.server_directives()] == ['A']


def test_each_node_knows_the_conditions_that_hold_it_across_includes(tmp_path):
    write(tmp_path, 'extra.conf', 'Inner 1\n<VirtualHost *:80>\nInVhost 1\n</VirtualHost>\n')
    parsed = parse_text(tmp_path, 'Define PROD\nTop 1\n'
                                  '<IfDefine PROD>\n<IfModule !nothing_module>\nInclude extra.conf\n'
                                  '</IfModule>\nAfterModule 1\n</IfDefine>\n'
                                  '<IfDefine PROD>\n<IfDefine OTHER>\nSkipped 1\n</IfDefine>\n</IfDefine>\n'
                                  '<IfVersion >= 2.4>\nUnclosed 1\n'
                                  'After 1\n', version='2.4.62')
    held = dict((node.name, node.conditions) for node in parsed.root.iter())
    assert held['Top'] == () and held['Define'] == ()
    assert held['Inner'] == ('<IfDefine PROD>', '<IfModule !nothing_module>')
    assert held['InVhost'] == held['Inner'] and held['VirtualHost'] == held['Inner']
    assert held['AfterModule'] == ('<IfDefine PROD>',)
    assert 'Skipped' not in held
    # A section left open holds the rest of its file; the next file read starts from outside.
    assert held['Unclosed'] == ('<IfVersion >= 2.4>',) and held['After'] == ('<IfVersion >= 2.4>',)


def test_include_glob_order_and_directories(tmp_path):
    write(tmp_path, 'conf.d/b.conf', 'B 1\n')
    write(tmp_path, 'conf.d/a.conf', 'A 1\n')
    write(tmp_path, 'conf.d/.hidden.conf', 'Hidden 1\n')
    write(tmp_path, 'conf.d/notes.txt', 'Txt 1\n')
    write(tmp_path, 'dir/z/1.conf', 'Z1 1\n')
    write(tmp_path, 'dir/y.conf', 'Y 1\n')
    write(tmp_path, 'sites/one/vhost.conf', 'One 1\n')
    write(tmp_path, 'sites/two/vhost.conf', 'Two 1\n')
    parsed = parse_text(tmp_path, 'Include conf.d/*.conf\nInclude dir\n'
                                  'IncludeOptional sites/*/vhost.conf\n'
                                  'IncludeOptional nothing/*.conf\n')
    assert [n.name for n in parsed.server_directives()] == ['A', 'B', 'Y', 'Z1', 'One', 'Two']
    assert parsed.errors == []


def test_missing_includes_are_errors_not_exceptions(tmp_path):
    parsed = parse_text(tmp_path, 'Include missing.conf\nInclude none/*.conf\n'
                                  'IncludeOptional missing2.conf\nAfter 1\n')
    assert [n.name for n in parsed.server_directives()] == ['After']
    assert [(e['line'], e['message'].split(':')[0]) for e in parsed.errors] == [
        (1, 'Could not open configuration file %s' % (tmp_path / 'missing.conf')),
        (2, "No matches for the wildcard 'none/*.conf', failing"),
    ]


def test_include_cycle_is_reported(tmp_path):
    write(tmp_path, 'a.conf', 'A 1\nInclude b.conf\n')
    write(tmp_path, 'b.conf', 'B 1\nInclude a.conf\n')
    parsed = parse_text(tmp_path, 'Include a.conf\n')
    assert [n.name for n in parsed.server_directives()] == ['A', 'B']
    assert len(parsed.errors) == 1
    assert parsed.errors[0]['message'].startswith('Include cycle')
    assert parsed.errors[0]['file'] == str(tmp_path / 'b.conf')


def test_unreadable_include_is_reported(tmp_path):
    path = write(tmp_path, 'secret.conf', 'X 1\n')
    os.chmod(path, 0)
    if os.access(path, os.R_OK):
        pytest.skip('running as a user that can read anything')
    parsed = parse_text(tmp_path, 'Include secret.conf\n')
    assert parsed.errors and 'secret.conf' in parsed.errors[0]['message']


def test_sections_keep_children_and_lines(tmp_path):
    parsed = parse_text(tmp_path, '<VirtualHost *:80>\n  ServerName a\n'
                                  '  <Location /x>\n    SetHandler wsgi-script\n  </Location>\n'
                                  '</VirtualHost>\n<virtualhost *:81>\nServerName b\n'
                                  '</VIRTUALHOST>\n')
    first, second = parsed.root.children
    assert first.is_section and first.args == ['*:80'] and first.line == 1
    location = next(first.iter('location'))
    assert location.parent is first
    assert [(n.name, n.line) for n in location.children] == [('SetHandler', 4)]
    assert second.args == ['*:81'] and parsed.errors == []


def test_unbalanced_sections_are_reported(tmp_path):
    parsed = parse_text(tmp_path, '<VirtualHost *:80>\n</Location>\n')
    messages = [e['message'] for e in parsed.errors]
    assert 'Expected </virtualhost> but saw </location>' in messages
    parsed = parse_text(tmp_path, '<VirtualHost *:80>\nServerName a\n')
    assert parsed.errors[-1]['message'].endswith('was never closed')
    assert parsed.errors[-1]['line'] == 1


def test_serverroot_changes_relative_includes(tmp_path):
    write(tmp_path, 'other/extra.conf', 'Extra 1\n')
    parsed = parse_text(tmp_path, 'ServerRoot "%s"\nInclude extra.conf\n' % (tmp_path / 'other'))
    assert parsed.server_directives('Extra')
    assert parsed.server_root == str(tmp_path / 'other')


@pytest.mark.parametrize('module_id,source', [
    ('wsgi_module', 'mod_wsgi.c'), ('mpm_event_module', 'event.c'), ('core_module', 'core.c'),
    ('http_module', 'http_core.c'), ('so_module', 'mod_so.c'), ('php_module', 'mod_php.c'),
])
def test_module_names_round_trip(module_id, source):
    assert _config.module_source_name(module_id) == source
    assert _config.module_id_from_source(source) == module_id


@pytest.mark.parametrize('text,words', [
    ('', []),
    ('  \t ', []),
    ('processes=2  threads=15\tdisplay-name=%{GROUP}',
     ['processes=2', 'threads=15', 'display-name=%{GROUP}']),
    ('/app /srv/app.wsgi\x0b\x0cprocess-group=x', ['/app', '/srv/app.wsgi', 'process-group=x']),
    # Quotes: only at the start of a word; a backslash escapes the same quote.
    ('"/var/www/my app" \'a b\' x"y z"', ['/var/www/my app', 'a b', 'x"y', 'z"']),
    (r'"say \"hi\"" end', ['say "hi"', 'end']),
    ('"unterminated arg', ['unterminated arg']),
])
def test_split_words(text, words):
    assert _config.split_words(text) == words


def test_split_words_without_quotes_is_the_word_loop():
    """The quote-free shortcut (str.split) against the character loop, on every logical line
    of the captured Debian trees."""
    checked = 0
    for base, dummy, files in os.walk(TREES):
        for name in files:
            path = os.path.join(base, name)
            if os.path.islink(path):
                continue
            with open(path, errors='replace') as handle:
                text = handle.read()
            for dummy_number, line in _config.logical_lines(text):
                # A quote forces the loop; with one appended, the loop's words end with it.
                if '"' in line or "'" in line:
                    continue
                looped = _config.split_words(line + ' "')[:-1]
                assert _config.split_words(line) == looped
                checked += 1
    assert checked > 1000
