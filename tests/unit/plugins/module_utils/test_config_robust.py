# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the fuzzing of the reader and the analysis found (issue 23, test_config_fuzz.py), each
as the smallest input that raised, and what must happen instead: a finding or a parse error
with file and line, never a traceback.

The inputs are mutations of the published configurations of molecule/audit/files/corpus
(a line of another seed inserted, a character garbled), cut down to the lines that matter.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.modwsgi.apache.plugins.module_utils import _config
from ansible_collections.modwsgi.apache.plugins.module_utils import _wsgi_facts

MODULES = ['core.c', 'mod_so.c', 'http_core.c', 'mod_alias.c', 'mod_wsgi.c']


def read(tmp_path, text, scripts=()):
    for name in scripts:
        path = os.path.join(str(tmp_path), name.lstrip('/'))
        if not os.path.isdir(os.path.dirname(path)):
            os.makedirs(os.path.dirname(path))
        open(path, 'w').close()
    (tmp_path / 'httpd.conf').write_text(text)
    return '/httpd.conf', _config.parse('/httpd.conf', '/', modules=MODULES, version='2.4.62',
                                        sysroot=str(tmp_path))


def findings(analysis, code):
    return [(f['file'], f['line']) for f in analysis.findings if f['code'] == code]


# -- ports -----------------------------------------------------------------------------------

def test_text_after_the_closing_bracket_of_a_section_is_ignored_as_httpd_does(tmp_path):
    # Found as ValueError: invalid literal for int() with base 10: '8081>'.
    main, parsed = read(tmp_path, '<VirtualHost *:8081> trailing words\n'
                                  '    ServerName app.test\n'
                                  '    WSGIScriptAlias / /srv/app.wsgi\n'
                                  '</VirtualHost>\n', scripts=['/srv/app.wsgi'])
    assert parsed.errors == []
    vhost = parsed.root.children[0]
    assert vhost.args == ['*:8081']
    analysis = _wsgi_facts.analyse(parsed, sysroot=str(tmp_path))
    assert analysis.mounts[0]['application_group'] == 'app.test:8081|'
    assert findings(analysis, 'config_invalid') == []


@pytest.mark.parametrize('address', ('*:8081>', '*:80+', '*:0', '*:99999', 'app.test:'))
def test_a_virtual_host_port_that_is_no_port_is_config_invalid(tmp_path, address):
    main, parsed = read(tmp_path, '<VirtualHost %s>\n'
                                  '    ServerName app.test\n'
                                  '    WSGIScriptAlias / /srv/app.wsgi\n'
                                  '</VirtualHost>\n' % address)
    analysis = _wsgi_facts.analyse(parsed, sysroot=str(tmp_path))
    assert analysis.mounts[0]['url'] == '/'
    assert analysis.resolve('http://app.test/')['url'] == 'http://app.test/'
    assert findings(analysis, 'config_invalid') == [(main, 1)]


def test_a_listen_port_that_is_no_port_is_config_invalid(tmp_path):
    main, parsed = read(tmp_path, 'Listen 80\nListen 80a\nServerName app.test\n'
                                  'WSGIScriptAlias / /srv/app.wsgi\n')
    analysis = _wsgi_facts.analyse(parsed, sysroot=str(tmp_path))
    assert {m['server'] for m in analysis.mounts} == {'app.test:80', 'app.test:80a'}
    assert findings(analysis, 'config_invalid') == [(main, 2)]


# -- regular expressions -----------------------------------------------------------------------

@pytest.mark.parametrize('line', (
    '<LocationMatch "^/(api">', '<Location ~ "^/(api">', '<DirectoryMatch "^/srv/(a">',
    '<FilesMatch "(\\.wsgi$">', '<Files ~ "[a-">',
))
def test_a_section_regex_that_does_not_compile_is_config_invalid(tmp_path, line):
    # Found as re.error: missing ), unterminated subpattern (analysis and resolve).
    name = line.split()[0][1:]
    main, parsed = read(tmp_path, 'WSGIScriptAlias / /srv/app.wsgi\n'
                                  '%s\n    WSGIProcessGroup x\n</%s>\n' % (line, name),
                        scripts=['/srv/app.wsgi'])
    analysis = _wsgi_facts.analyse(parsed, sysroot=str(tmp_path))
    assert findings(analysis, 'config_invalid') == [(main, 2)]
    assert 'does not compile' in analysis.findings[0]['message']
    resolved = analysis.resolve('http://localhost/api')
    # The pattern is taken as matching nothing: the section does not apply.
    assert resolved['mode'] == 'embedded'


@pytest.mark.parametrize('line', (
    'RedirectMatch ^/(old /new', 'RedirectMatch permanent ^/(old /new',
    'AliasMatch ^/(static /srv/static', 'ScriptAliasMatch ^/(cgi /srv/cgi',
    'WSGIScriptAliasMatch ^/(app /srv/app.wsgi',
))
def test_a_directive_regex_that_does_not_compile_is_config_invalid(tmp_path, line):
    main, parsed = read(tmp_path, '%s\nWSGIScriptAlias / /srv/app.wsgi\n' % line,
                        scripts=['/srv/app.wsgi'])
    analysis = _wsgi_facts.analyse(parsed, sysroot=str(tmp_path))
    assert findings(analysis, 'config_invalid') == [(main, 1)]
    assert analysis.resolve('http://localhost/old')['mount']['url'] == '/'


def test_pcre_named_groups_are_read(tmp_path):
    # httpd's documentation of <LocationMatch>: (?<sitename>...) is PCRE, (?P<...>) in Python.
    main, parsed = read(tmp_path, 'WSGIScriptAlias / /srv/app.wsgi\n'
                                  'WSGIDaemonProcess site\n'
                                  '<LocationMatch "^/combined/(?<sitename>[^/]+)">\n'
                                  '    WSGIProcessGroup site\n'
                                  '</LocationMatch>\n', scripts=['/srv/app.wsgi'])
    analysis = _wsgi_facts.analyse(parsed, sysroot=str(tmp_path))
    assert findings(analysis, 'config_invalid') == []
    assert analysis.resolve('http://localhost/combined/a')['process_group'] == 'site'
    assert analysis.resolve('http://localhost/other')['mode'] == 'embedded'


def test_a_substitution_of_a_group_the_pattern_lacks_is_empty(tmp_path):
    # ap_pregsub: $2 of a pattern with one group is empty (was IndexError: no such group).
    main, parsed = read(tmp_path, 'RedirectMatch ^/old/(.*)$ /new/$2$1\n'
                                  'WSGIScriptAliasMatch ^/app/(.*) /srv/$3app.wsgi\n',
                        scripts=['/srv/app.wsgi'])
    analysis = _wsgi_facts.analyse(parsed, sysroot=str(tmp_path))
    assert analysis.resolve('http://localhost/old/x')['served_by']['target'] == '/new/x'
    assert analysis.resolve('http://localhost/app/x')['mount']['script'] == '/srv/app.wsgi'


def test_an_ifversion_regex_that_does_not_compile_is_a_parse_error(tmp_path):
    main, parsed = read(tmp_path, '<IfVersion ~ ^2.(4>\nWSGIRestrictEmbedded On\n</IfVersion>\n')
    assert [(e['file'], e['line']) for e in parsed.errors] == [(main, 1)]
    assert 'does not compile' in parsed.errors[0]['message']
    assert parsed.last('WSGIRestrictEmbedded') is None


# -- what the reader opens -----------------------------------------------------------------

def test_a_nul_byte_ends_its_line(tmp_path):
    main, parsed = read(tmp_path, 'ServerName a.test\0 b.test\nServerAlias c.test\n')
    assert parsed.errors == []
    assert parsed.last('ServerName').args == ['a.test']
    assert parsed.last('ServerAlias').args == ['c.test']


def test_an_include_of_something_that_is_not_a_regular_file_is_refused(tmp_path):
    # ap_pcfg_openfile refuses it; reading a FIFO (or /dev/zero) would never end.
    os.mkfifo(str(tmp_path / 'fifo.conf'))
    main, parsed = read(tmp_path, 'Include /fifo.conf\n')
    assert [(e['file'], e['line']) for e in parsed.errors] == [(main, 1)]
    assert 'not a regular file' in parsed.errors[0]['message']


def test_a_directory_that_includes_itself_stops_at_httpds_nesting_limit(tmp_path, monkeypatch):
    # Linux stops a path through 40 symbolic links first: a smaller limit shows this one.
    monkeypatch.setattr(_config, 'MAX_INCLUDE_DIR_DEPTH', 5)
    (tmp_path / 'conf.d').mkdir()
    os.symlink('.', str(tmp_path / 'conf.d' / 'loop'))
    main, parsed = read(tmp_path, 'Include /conf.d\n')
    assert [(e['file'], e['line']) for e in parsed.errors] == [(main, 1)]
    assert 'maximum include directory nesting level of 5' in parsed.errors[0]['message']


def test_reading_stops_at_a_size_no_configuration_reaches(tmp_path, monkeypatch):
    monkeypatch.setattr(_config, 'MAX_CONFIG_BYTES', 100)
    (tmp_path / 'big.conf').write_text('# %s\n' % ('x' * 200))
    main, parsed = read(tmp_path, 'Include /big.conf\nServerName a.test\n')
    assert [(e['file'], e['line']) for e in parsed.errors] == [(main, 1)]
    assert 'larger than' in parsed.errors[0]['message']
    assert parsed.last('ServerName').args == ['a.test']
