# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The rules of the role daemon_mode's input (plugins/plugin_utils/_role_input.py).

The applications are those of Molecule's role_default (molecule/role_default/vars/apps.yml);
each refused case changes one value of alpha, as molecule/role_default/bad_inputs.yml and
molecule/pip_venv/bad_inputs.yml did on a live host. Errors are compared whole: the Molecule
scenarios and the docs quote them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
from pathlib import Path

import pytest
import yaml

from ansible_collections.modwsgi.apache.plugins.plugin_utils import _role_input
from ansible_collections.modwsgi.apache.plugins.plugin_utils._role_input import (
    APP_DEFAULTS, APP_FIELDS, RoleInputError, host_errors, os_candidates, pip_build, role_families, validate)

ROOT = Path(__file__).resolve().parents[4]
ROLE = ROOT / 'roles' / 'daemon_mode'
APPS_FILE = ROOT / 'molecule' / 'role_default' / 'vars' / 'apps.yml'
if not APPS_FILE.exists():
    # The collection's tarball ships tests/ but not molecule/ (galaxy.yml build_ignore): from an
    # installed tarball these cases have no applications to change; make unit runs them.
    pytest.skip('molecule/role_default/vars/apps.yml is not shipped', allow_module_level=True)
APPS = yaml.safe_load(APPS_FILE.read_text())['modwsgi_apps']
ALPHA = APPS[0]
PROBE = '/.well-known/modwsgi-probe'
DEFAULTS = yaml.safe_load((ROLE / 'defaults' / 'main.yml').read_text())
# What the plan validates on Debian: the distribution's values of the settings left unset.
DEBIAN = dict(DEFAULTS, modwsgi_packages=['apache2', 'libapache2-mod-wsgi-py3'],
              modwsgi_service='apache2', modwsgi_socket_prefix='/var/run/apache2/wsgi')
SETTINGS = dict((name, value) for name, value in DEBIAN.items() if name != 'modwsgi_apps')
INJECTION = ("a newline (or other control character), a quote, a backslash, a non-ASCII character, "
             "'<' or '>' is not allowed: the value goes into Apache's configuration")


def alpha(**changes):
    app = copy.deepcopy(ALPHA)
    app.update(changes)
    return app


def errors(settings=None, apps=None):
    with pytest.raises(RoleInputError) as info:
        validate(dict(SETTINGS, **(settings or {})), [alpha()] if apps is None else apps, PROBE)
    assert str(info.value) == '; '.join(info.value.errors)
    return info.value.errors


def test_the_scenario_s_input_is_valid_and_gets_every_field():
    settings, apps = validate(SETTINGS, APPS, PROBE)
    assert settings == SETTINGS
    assert [app['name'] for app in apps] == ['alpha', 'beta', 'gone']
    for app in apps:
        assert sorted(app) == sorted(APP_FIELDS)
    assert apps[1]['port'] == 8080 and apps[1]['user'] == 'beta' and apps[1]['threads'] == 3
    assert apps[2] == dict(APP_DEFAULTS, name='gone', state='absent', port=80)
    # The scenario spells alpha's booleans as strings; the input itself is left as it was.
    assert (apps[0]['preload'], apps[0]['takeover']) == (True, False)
    assert (APPS[0]['preload'], APPS[0]['takeover']) == ('yes', 'false')


def test_defaults_are_not_shared_between_applications():
    _settings, apps = validate({}, [{'name': 'a', 'state': 'absent'}, {'name': 'b', 'state': 'absent'}], PROBE)
    apps[0]['server_aliases'].append('x.test')
    assert apps[1]['server_aliases'] == [] and APP_DEFAULTS['server_aliases'] == []


# One application field changed (null is what a field left out gets): the exact error. The first block is molecule/role_default/bad_inputs.yml, case by case.
APP_CASES = [
    ({'server_name': 'alpha.test\nInclude /etc/passwd'}, 'modwsgi_apps[0].server_name: ' + INJECTION),
    ({'name': 'al"pha'}, 'modwsgi_apps[0].name: ' + INJECTION),
    ({'processes': 0}, 'modwsgi_apps[0].processes: "0" is not a number of processes (at least 1)'),
    ({'threads': -1}, 'modwsgi_apps[0].threads: "-1" is not a number of threads (at least 1)'),
    ({'wsgi_script': 'srv/alpha/app.wsgi'},
     'modwsgi_apps[0].wsgi_script: "srv/alpha/app.wsgi" is not an absolute path'),
    ({'user': 'root'}, 'modwsgi_apps[0].user: "root" is refused: daemon processes never run as root, '
                       'and a user is a name or #uid'),
    ({'port': 70000}, 'modwsgi_apps[0].port: "70000" is not a port (1-65535)'),
    ({'url_path': 'app'}, "modwsgi_apps[0].url_path: \"app\" must start with '/', have no trailing '/' "
                          "(except '/' itself), use only letters, digits and '._~-', and not be under "
                          "/.well-known/modwsgi-probe"),
    ({'daemon_options': {'max-requests': 5}},
     'modwsgi_apps[0].daemon_options.max-requests: unknown WSGIDaemonProcess option; the known ones are '
     + ', '.join(sorted(_role_input.DAEMON_OPTION_TYPES))),
    ({'daemon_options': {'maximum-requests': 'lots'}},
     'modwsgi_apps[0].daemon_options.maximum-requests: "lots" is not an integer >= 0'),
    # Every other rule of an application.
    ({'name': 'a' * 65}, 'modwsgi_apps[0].name: "%s" is not a safe name: letters, digits, \'.\', '
                         '\'_\' and \'-\', up to 64' % ('a' * 65)),
    ({'name': '-alpha'}, 'modwsgi_apps[0].name: "-alpha" is not a safe name: letters, digits, \'.\', '
                         '\'_\' and \'-\', up to 64'),
    ({'name': 5}, 'modwsgi_apps[0].name: "5" is not a safe name: letters, digits, \'.\', \'_\' and \'-\', up to 64'),
    ({'state': 'gone'}, 'modwsgi_apps[0].state: must be present or absent'),
    ({'server_name': None}, 'modwsgi_apps[0].server_name: is required for a present application'),
    ({'server_name': 'alpha_test'}, 'modwsgi_apps[0].server_name: "alpha_test" is not a host name'),
    ({'server_name': 'a' * 65 + '.test'}, 'modwsgi_apps[0].server_name: "%s.test" is not a host name' % ('a' * 65)),
    ({'server_aliases': 'www.alpha.test'},
     "modwsgi_apps[0].server_aliases: must be a list of host names (a '*.' prefix is allowed)"),
    ({'server_aliases': ['www.*.test']},
     "modwsgi_apps[0].server_aliases: must be a list of host names (a '*.' prefix is allowed)"),
    ({'port': 0}, 'modwsgi_apps[0].port: "0" is not a port (1-65535)'),
    ({'port': True}, 'modwsgi_apps[0].port: "True" is not a port (1-65535)'),
    ({'port': '80x'}, 'modwsgi_apps[0].port: "80x" is not a port (1-65535)'),
    ({'port': 80.5}, 'modwsgi_apps[0].port: "80.5" is not a port (1-65535)'),
    ({'url_path': '/app/'}, "modwsgi_apps[0].url_path: \"/app/\" must start with '/', have no trailing '/' "
                            "(except '/' itself), use only letters, digits and '._~-', and not be under "
                            "/.well-known/modwsgi-probe"),
    ({'url_path': PROBE + '/x'}, "modwsgi_apps[0].url_path: \"/.well-known/modwsgi-probe/x\" must start "
                                 "with '/', have no trailing '/' (except '/' itself), use only letters, "
                                 "digits and '._~-', and not be under /.well-known/modwsgi-probe"),
    ({'wsgi_script': None}, 'modwsgi_apps[0].wsgi_script: is required for a present application'),
    ({'wsgi_script': '/srv/../etc/app.wsgi'},
     'modwsgi_apps[0].wsgi_script: "/srv/../etc/app.wsgi" is not an absolute path'),
    ({'wsgi_script': '/srv/my app.wsgi'}, 'modwsgi_apps[0].wsgi_script: "/srv/my app.wsgi" is not an absolute path'),
    ({'python_home': 'venv'}, 'modwsgi_apps[0].python_home: "venv" is not an absolute path'),
    ({'python_path': '/srv/lib'}, 'modwsgi_apps[0].python_path: must be a list of absolute paths'),
    ({'python_path': ['lib']}, 'modwsgi_apps[0].python_path: must be a list of absolute paths'),
    ({'processes': '2x'}, 'modwsgi_apps[0].processes: "2x" is not a number of processes (at least 1)'),
    ({'processes': 10000}, 'modwsgi_apps[0].processes: "10000" is not a number of processes (at least 1)'),
    ({'threads': False}, 'modwsgi_apps[0].threads: "False" is not a number of threads (at least 1)'),
    ({'user': '#0'}, 'modwsgi_apps[0].user: "#0" is refused: daemon processes never run as root, '
                     'and a user is a name or #uid'),
    ({'user': 'Beta'}, 'modwsgi_apps[0].user: "Beta" is refused: daemon processes never run as root, '
                       'and a user is a name or #uid'),
    ({'group': 'root'}, 'modwsgi_apps[0].group: "root" is refused: not root, and a group is a name or #gid'),
    ({'group': 'a b'}, 'modwsgi_apps[0].group: "a b" is refused: not root, and a group is a name or #gid'),
    ({'display_name': 'my app'}, "modwsgi_apps[0].display_name: \"my app\": letters, digits and "
                                 "'%{}()._:-' only, up to 64"),
    ({'application_group': '%{ENV:X}'}, 'modwsgi_apps[0].application_group: "%{ENV:X}": %{GLOBAL}, '
                                        '%{SERVER}, %{RESOURCE} or a plain name'),
    ({'preload': 'maybe'}, 'modwsgi_apps[0].preload: must be true or false'),
    ({'preload': None}, 'modwsgi_apps[0].preload: must be true or false'),
    ({'takeover': 'maybe'}, 'modwsgi_apps[0].takeover: must be false, true (the same as replace), replace or in_place, not %s' % '"maybe"'),
    ({'takeover': 2}, 'modwsgi_apps[0].takeover: must be false, true (the same as replace), replace or in_place, not %s' % '"2"'),
    ({'takeover': 'In_Place'}, 'modwsgi_apps[0].takeover: must be false, true (the same as replace), replace or in_place, not %s' % '"In_Place"'),
    ({'daemon_options': ['maximum-requests=5']},
     'modwsgi_apps[0].daemon_options: must be a dict of WSGIDaemonProcess options'),
    ({'static_aliases': [{'url': '/static'}]},
     'modwsgi_apps[0].static_aliases: must be a list of {url, path}, each url a URL path and each path absolute'),
    ({'static_aliases': [{'url': 'static', 'path': '/srv/static'}]},
     'modwsgi_apps[0].static_aliases: must be a list of {url, path}, each url a URL path and each path absolute'),
    ({'static_aliases': {'url': '/static', 'path': '/srv/static'}},
     'modwsgi_apps[0].static_aliases: must be a list of {url, path}, each url a URL path and each path absolute'),
    ({'document_root': 'www'}, 'modwsgi_apps[0].document_root: must be an absolute path'),
    ({'error_log': '/var/log/apache2/a|b.log'}, 'modwsgi_apps[0].error_log: must be an absolute path'),
    ({'access_log': 'syslog'}, 'modwsgi_apps[0].access_log: must be an absolute path'),
    ({'sever_name': 'alpha.test'}, 'modwsgi_apps[0].sever_name: unknown field; the fields are '
                                   + ', '.join(APP_FIELDS)),
    # Injection through any field, a list item or a nested value.
    ({'server_aliases': ['www.alpha.test\nInclude /etc/passwd']}, 'modwsgi_apps[0].server_aliases: ' + INJECTION),
    ({'daemon_options': {'lang': 'C"\nLoadModule x'}}, 'modwsgi_apps[0].daemon_options: ' + INJECTION),
    ({'static_aliases': [{'url': '/s', 'path': '/srv/<s>'}]}, 'modwsgi_apps[0].static_aliases: ' + INJECTION),
    ({'wsgi_script': "/srv/alpha/app'.wsgi"}, 'modwsgi_apps[0].wsgi_script: ' + INJECTION),
    ({'display_name': 'caf\u00e9'}, 'modwsgi_apps[0].display_name: ' + INJECTION),
    ({'python_home': '/srv/alpha\\venv'}, 'modwsgi_apps[0].python_home: ' + INJECTION),
]


@pytest.mark.parametrize('changes, message', APP_CASES, ids=[str(case[0])[:60] for case in APP_CASES])
def test_an_application_field_is_refused_naming_it(changes, message):
    assert errors(apps=[alpha(**changes)]) == [message]


DAEMON_OPTION_CASES = [
    ('processes', 4, 'set it with modwsgi_apps[0].processes instead'),
    ('python-home', '/srv/x', 'set it with modwsgi_apps[0].python_home instead'),
    ('display-name', 'x', 'set it with modwsgi_apps[0].display_name instead'),
    ('maximum-requests', -1, '"-1" is not an integer >= 0'),
    ('maximum-requests', True, '"True" is not an integer >= 0'),
    ('maximum-requests', [5], '"[5]" is not an integer >= 0'),
    ('maximum-requests', None, '"None" is not an integer >= 0'),
    ('cpu-priority', 21, '"21" is not an integer from -20 to 20'),
    ('cpu-priority', '-21', '"-21" is not an integer from -20 to 20'),
    ('switch-interval', 0, '"0" is not a number > 0'),
    ('switch-interval', '1e-3', '"1e-3" is not a number > 0'),
    ('home', 'srv', '"srv" is not an absolute path'),
    ('lang', 'en US', '"en US" is not a single word (letters, digits, \'._@:+-\')'),
    ('supplementary-groups', 'a,,b', '"a,,b" is not group names separated by commas'),
    ('umask', '0028', '"0028" is not an octal umask such as 0022'),
    ('server-metrics', 'sometimes', '"sometimes" is not true or false'),
]


@pytest.mark.parametrize('key, value, reason', DAEMON_OPTION_CASES)
def test_a_daemon_option_is_refused_naming_it(key, value, reason):
    assert errors(apps=[alpha(daemon_options={key: value})]) == [
        'modwsgi_apps[0].daemon_options.%s: %s' % (key, reason)]


def test_every_bad_field_of_an_application_is_reported():
    assert errors(apps=[alpha(port=0, threads=0, takeover='perhaps')]) == [
        'modwsgi_apps[0].port: "0" is not a port (1-65535)',
        'modwsgi_apps[0].threads: "0" is not a number of threads (at least 1)',
        'modwsgi_apps[0].takeover: must be false, true (the same as replace), replace or in_place, not "perhaps"']


def test_a_name_is_required():
    app = alpha()
    del app['name']
    assert errors(apps=[app]) == ['modwsgi_apps[0].name: is required']


def test_names_are_unique():
    # molecule/role_default/bad_inputs.yml: the same name twice.
    assert errors(apps=[alpha(), alpha(server_name='other.test')]) == [
        'modwsgi_apps[1].name: "alpha" is the name of an earlier application']


@pytest.mark.parametrize('port', [80, '80'])
def test_one_application_per_url_of_a_host(port):
    assert errors(apps=[alpha(), alpha(name='alpha2', port=port)]) == [
        'modwsgi_apps[1].url_path: alpha.test:80/ is already the URL of modwsgi_apps[0]']


def test_an_absent_application_needs_no_server_name_and_frees_its_name_port():
    gone = {'name': 'old', 'state': 'absent', 'server_name': 'alpha.test'}
    _settings, apps = validate(SETTINGS, [gone, alpha(), alpha(name='later', state='absent')], PROBE)
    assert [app['state'] for app in apps] == ['absent', 'present', 'absent']


@pytest.mark.parametrize('apps', ['alpha', {'name': 'alpha'}, ['alpha'], 5])
def test_modwsgi_apps_is_a_list_of_dicts(apps):
    assert errors(apps=apps) == ['modwsgi_apps: must be a list of dicts (one per application)']


# One role setting changed: the exact error. The first block is molecule/pip_venv/bad_inputs.yml.
SETTING_CASES = [
    ({'modwsgi_pip_venv': '/opt/modwsgi/venv\nLoadModule evil_module /tmp/evil.so'},
     'modwsgi_pip_venv: "/opt/modwsgi/venv\\nLoadModule evil_module /tmp/evil.so" is not an absolute path '
     "(letters, digits, '._@+-')"),
    ({'modwsgi_pip_venv': '/opt/modwsgi/"venv'},
     'modwsgi_pip_venv: "/opt/modwsgi/\\"venv" is not an absolute path (letters, digits, \'._@+-\')'),
    ({'modwsgi_pip_version': '6.1.1"'},
     'modwsgi_pip_version: "6.1.1\\"" is not a release number such as "6.1.1" (a quoted string)'),
    ({'modwsgi_pip_cert': '/etc/ssl/<certs>.crt'},
     "modwsgi_pip_cert: \"/etc/ssl/<certs>.crt\" is not null, '' or the absolute path of a CA bundle"),
    ({'modwsgi_mpm_tuning': 'yes'}, 'modwsgi_mpm_tuning: must be false or auto, not "yes"'),
    ({'modwsgi_pip_python': 'python3.12'},
     'modwsgi_pip_python: "python3.12" is not null or the absolute path of a Python (letters, digits, \'._@+-\')'),
    ({'modwsgi_pip_python': '/usr/bin/python3\nLoadModule x /x.so'},
     'modwsgi_pip_python: "/usr/bin/python3\\nLoadModule x /x.so" is not null or the absolute path of a Python '
     "(letters, digits, '._@+-')"),
    ({'modwsgi_install': 'source'}, 'modwsgi_install: must be package or pip, not "source"'),
    # Every other rule of a setting.
    ({'modwsgi_pip_version': 6.1}, 'modwsgi_pip_version: "6.1" is not a release number such as "6.1.1" (a quoted string)'),
    ({'modwsgi_mpm': 'threaded'}, 'modwsgi_mpm: must be auto, event, worker or prefork, not "threaded"'),
    ({'modwsgi_mpm_tuning': True}, 'modwsgi_mpm_tuning: must be false or auto, not "True"'),
    ({'modwsgi_mpm_tuning': 'Auto'}, 'modwsgi_mpm_tuning: must be false or auto, not "Auto"'),
    ({'modwsgi_restrict_embedded': 'strict'}, 'modwsgi_restrict_embedded: must be true or false'),
    ({'modwsgi_probe': None}, 'modwsgi_probe: must be true or false'),
    ({'modwsgi_restrict_embedded_accept': 'other.test:80/'},
     'modwsgi_restrict_embedded_accept: must be a list, each entry SERVER:PORT/URL (such as "legacy.example:80/" or "*:80/app") '
     'or the absolute path of a WSGI script'),
    ({'modwsgi_restrict_embedded_accept': ['other.test:80/', 'other.test/']},
     'modwsgi_restrict_embedded_accept[1]: "other.test/" is not SERVER:PORT/URL (such as "legacy.example:80/" or "*:80/app") nor the '
     'absolute path of a WSGI script'),
    ({'modwsgi_restrict_embedded_accept': ['other.test:80/app/']},
     'modwsgi_restrict_embedded_accept[0]: "other.test:80/app/" is not SERVER:PORT/URL (such as "legacy.example:80/" or "*:80/app") nor '
     'the absolute path of a WSGI script'),
    ({'modwsgi_restrict_embedded_accept': ['other.test:80/\nWSGIRestrictEmbedded Off']},
     'modwsgi_restrict_embedded_accept[0]: "other.test:80/\\nWSGIRestrictEmbedded Off" is not SERVER:PORT/URL (such as '
     '"legacy.example:80/" or "*:80/app") nor the absolute path of a WSGI script'),
    ({'modwsgi_restrict_embedded_accept': [80]},
     'modwsgi_restrict_embedded_accept[0]: "80" is not SERVER:PORT/URL (such as "legacy.example:80/" or "*:80/app") nor the '
     'absolute path of a WSGI script'),
    ({'modwsgi_restrict_embedded_accept': ['/srv/other/app.wsgi', '/srv/other/app.wsgi']},
     'modwsgi_restrict_embedded_accept[1]: "/srv/other/app.wsgi" is listed twice'),
    ({'modwsgi_restrict_embedded_accept': ['Other.Test:80/', 'other.test:80/']}, 'modwsgi_restrict_embedded_accept[1]: "other.test:80/" is listed twice'),
    ({'modwsgi_verify': 'always'},
     'modwsgi_verify: must be true or false, and true needs modwsgi_probe=true (verification asks the probe)'),
    ({'modwsgi_probe': 'no'},
     'modwsgi_verify: must be true or false, and true needs modwsgi_probe=true (verification asks the probe)'),
    ({'modwsgi_socket_prefix': 'run/wsgi'},
     "modwsgi_socket_prefix: must be an absolute path (letters, digits, '.', '_', '-', '@', '+')"),
    ({'modwsgi_service': 'apache2 httpd'}, 'modwsgi_service: must be a service name'),
    ({'modwsgi_packages': 'apache2'}, 'modwsgi_packages: must be a list of package names'),
    ({'modwsgi_packages': ['apache2', 'mod wsgi']}, 'modwsgi_packages: must be a list of package names'),
    ({'modwsgi_backup_dir': '/var/backups/../tmp'},
     "modwsgi_backup_dir: must be an absolute path (letters, digits, '.', '_', '-', '@', '+')"),
    ({'modwsgi_reload_timeout': 0}, 'modwsgi_reload_timeout: must be a number of seconds (at least 1)'),
    ({'modwsgi_reload_timeout': '30s'}, 'modwsgi_reload_timeout: must be a number of seconds (at least 1)'),
]


@pytest.mark.parametrize('settings, message', SETTING_CASES, ids=[str(case[0])[:60] for case in SETTING_CASES])
def test_a_setting_is_refused_naming_it(settings, message):
    assert errors(settings=settings) == [message]


TRUE = [True, 'true', 'True', 'TRUE', 'yes', 'Yes', 'on', 'ON', '1', 1, 'y']
FALSE = [False, 'false', 'False', 'no', 'NO', 'off', 'Off', '0', 0, 'n']


@pytest.mark.parametrize('value, expected', [(v, True) for v in TRUE] + [(v, False) for v in FALSE])
def test_booleans_accept_ansible_s_spellings(value, expected):
    # takeover: "{{ shop_takeover }}" with -e shop_takeover=false gives the string "false".
    settings, apps = validate(dict(SETTINGS, modwsgi_restrict_embedded=value, modwsgi_probe=value,
                                   modwsgi_verify=value),
                              [alpha(takeover=value, preload=value, daemon_options={'server-metrics': value})],
                              PROBE)
    # takeover: true is replace, as before in_place existed.
    assert apps[0]['takeover'] == ('replace' if expected else False) and apps[0]['preload'] is expected
    assert apps[0]['daemon_options'] == {'server-metrics': expected}
    assert (settings['modwsgi_restrict_embedded'], settings['modwsgi_probe'], settings['modwsgi_verify']) == \
        (expected,) * 3


def test_accepted_embedded_applications_are_normalized():
    # httpd compares server names without case; a URL path and a script are kept as they are.
    settings, _apps = validate(dict(SETTINGS, modwsgi_restrict_embedded_accept=[
        'Other.Test:80/', '*:8080/App', 'legacy.test:80/api', '/srv/Other/app.wsgi']), [alpha()], PROBE)
    assert settings['modwsgi_restrict_embedded_accept'] == [
        'other.test:80/', '*:8080/App', 'legacy.test:80/api', '/srv/Other/app.wsgi']


@pytest.mark.parametrize('value, expected', [('auto', 'auto')] + [(v, False) for v in FALSE])
def test_mpm_tuning_is_auto_or_any_false(value, expected):
    settings, _apps = validate(dict(SETTINGS, modwsgi_mpm_tuning=value), [alpha()], PROBE)
    assert settings['modwsgi_mpm_tuning'] is expected


def test_numbers_may_be_strings():
    settings, apps = validate(dict(SETTINGS, modwsgi_reload_timeout='45'),
                              [alpha(port='8080', processes='3', threads='7',
                                     daemon_options={'maximum-requests': '500', 'cpu-priority': -5,
                                                     'switch-interval': '0.005', 'umask': '0022'})], PROBE)
    assert settings['modwsgi_reload_timeout'] == 45
    assert (apps[0]['port'], apps[0]['processes'], apps[0]['threads']) == (8080, 3, 7)
    # Option values are written as given: the umask keeps its leading zero.
    assert apps[0]['daemon_options'] == {'maximum-requests': '500', 'cpu-priority': -5,
                                         'switch-interval': '0.005', 'umask': '0022'}


def test_accepted_values_of_each_kind():
    app = alpha(server_aliases=['*.alpha.test', 'alpha.example'], user='#1000', group='www-data',
                display_name='(wsgi:%{GROUP})', application_group='%{SERVER}', document_root='/srv/alpha/www',
                error_log='/var/log/apache2/alpha.log', url_path='/a/b.c~d', python_path=['/srv/a', '/srv/b'],
                daemon_options={'supplementary-groups': 'ssl-cert,adm', 'home': '/srv/alpha', 'lang': 'de_DE.UTF-8'})
    _settings, apps = validate(dict(SETTINGS, modwsgi_pip_cert='', modwsgi_install='pip'), [app], PROBE)
    assert apps[0]['user'] == '#1000' and apps[0]['server_aliases'] == ['*.alpha.test', 'alpha.example']


def test_every_error_is_reported_at_once():
    assert errors(settings={'modwsgi_mpm': 'x'}, apps=[alpha(port=0), alpha(name='b', threads=0)]) == [
        'modwsgi_mpm: must be auto, event, worker or prefork, not "x"',
        'modwsgi_apps[0].port: "0" is not a port (1-65535)',
        'modwsgi_apps[1].threads: "0" is not a number of threads (at least 1)']


HOST_OK = {'venvs': {'/srv/alpha/venv': True, '/srv/beta/venv': True},
           'scripts': {'/srv/alpha/app.wsgi': True, '/srv/beta/app.wsgi': True},
           'users': {'beta': True}, 'groups': {'beta': True}}


def test_the_host_confirms_the_applications():
    _settings, apps = validate(SETTINGS, APPS, PROBE)
    assert host_errors(apps, HOST_OK) == []


def test_what_the_host_contradicts_names_the_field():
    # molecule/role_default/bad_inputs.yml: python_home /srv/nowhere/venv.
    _settings, apps = validate(SETTINGS, [alpha(python_home='/srv/nowhere/venv'), APPS[1], APPS[2]], PROBE)
    host = {'venvs': {'/srv/nowhere/venv': False, '/srv/beta/venv': True},
            'scripts': {'/srv/alpha/app.wsgi': True, '/srv/beta/app.wsgi': False},
            'users': {'beta': False}, 'groups': {'beta': False}}
    assert host_errors(apps, host) == [
        'modwsgi_apps[0].python_home: /srv/nowhere/venv is not a virtual environment on the host (no pyvenv.cfg)',
        'modwsgi_apps[1].wsgi_script: /srv/beta/app.wsgi is not a file on the host',
        'modwsgi_apps[1].user: beta is not a user on the host',
        'modwsgi_apps[1].group: beta is not a group on the host']


def test_a_numeric_account_is_not_looked_up():
    _settings, apps = validate(SETTINGS, [alpha(user='#1000', group='#1000')], PROBE)
    assert host_errors(apps, dict(HOST_OK, users={}, groups={})) == []


# The contract: meta/argument_specs.yml documents the rules and defaults of this module.
SPEC = yaml.safe_load((ROLE / 'meta' / 'argument_specs.yml').read_text())['argument_specs']['main']['options']


def test_argument_specs_lists_every_application_field_with_its_default():
    fields = SPEC['modwsgi_apps']['options']
    assert sorted(fields) == sorted(APP_FIELDS)
    assert fields['name'].get('required') is True
    for name, default in APP_DEFAULTS.items():
        assert fields[name].get('default') == default, name
        assert not fields[name].get('required'), name


def test_argument_specs_lists_every_setting():
    assert sorted(SPEC) == sorted(['modwsgi_apps'] + [name for name, _rule in _role_input.SETTINGS])


def test_the_role_s_defaults_are_valid_and_documented():
    settings, _apps = validate(SETTINGS, [], PROBE)
    for name, value in DEFAULTS.items():
        assert SPEC[name].get('default') == value, name
        if name != 'modwsgi_apps':
            assert settings[name] == value, name


# TLS (issue 14, item 2). The certificate's paths are those of molecule/from_embedded.
CERT = '/etc/ssl/modwsgi-test/secure.test.pem'
KEY = '/etc/ssl/modwsgi-test/secure.test.key'


def test_tls_is_normalized_and_moves_the_port_to_443_with_a_redirect():
    _settings, apps = validate(SETTINGS, [alpha(tls={'certificate': CERT, 'key': KEY, 'self_signed': 'yes'})], PROBE)
    assert apps[0]['tls'] == {'certificate': CERT, 'key': KEY, 'chain': None, 'self_signed': True}
    assert (apps[0]['port'], apps[0]['http_redirect']) == (443, True)
    _settings, apps = validate(SETTINGS, [alpha(port=8443, http_redirect='no',
                                                tls={'certificate': CERT, 'key': KEY, 'chain': CERT})], PROBE)
    assert apps[0]['tls'] == {'certificate': CERT, 'key': KEY, 'chain': CERT, 'self_signed': False}
    assert (apps[0]['port'], apps[0]['http_redirect']) == (8443, False)
    # Without tls: port 80, no redirect.
    _settings, apps = validate(SETTINGS, [alpha()], PROBE)
    assert (apps[0]['tls'], apps[0]['port'], apps[0]['http_redirect']) == (None, 80, False)


TLS_CASES = [
    ({'tls': {'key': KEY}},
     'modwsgi_apps[0].tls.certificate: is required with tls (the absolute path of a PEM file on the host)'),
    ({'tls': {'certificate': 'cert.pem', 'key': KEY}},
     'modwsgi_apps[0].tls.certificate: "cert.pem" is not an absolute path (letters, digits, \'._@+-\')'),
    ({'tls': {'certificate': CERT, 'key': '/etc/ssl/my key.pem'}},
     'modwsgi_apps[0].tls.key: "/etc/ssl/my key.pem" is not an absolute path (letters, digits, \'._@+-\')'),
    ({'tls': {'certificate': CERT, 'key': KEY, 'chain': '/etc/ssl/../chain.pem'}},
     'modwsgi_apps[0].tls.chain: "/etc/ssl/../chain.pem" is not an absolute path (letters, digits, \'._@+-\')'),
    ({'tls': {'certificate': CERT, 'key': KEY, 'self_signed': 'maybe'}},
     'modwsgi_apps[0].tls.self_signed: must be true or false'),
    ({'tls': {'certificate': CERT, 'key': KEY, 'ca': CERT}},
     'modwsgi_apps[0].tls.ca: unknown key; the keys are certificate, chain, key, self_signed'),
    ({'tls': CERT}, 'modwsgi_apps[0].tls: must be a dict with certificate, key, and optionally chain and self_signed'),
    ({'tls': {'certificate': CERT + '\nSSLEngine off', 'key': KEY}}, 'modwsgi_apps[0].tls: ' + INJECTION),
    ({'http_redirect': True}, 'modwsgi_apps[0].http_redirect: needs tls: the redirect goes to the https virtual host'),
    ({'http_redirect': 'sure'}, 'modwsgi_apps[0].http_redirect: must be true or false'),
    ({'port': 80, 'http_redirect': True, 'tls': {'certificate': CERT, 'key': KEY}},
     'modwsgi_apps[0].http_redirect: the https virtual host is on port 80, where the redirect would be'),
    ({'python_home': 'venv'}, 'modwsgi_apps[0].python_home: "venv" is not an absolute path'),
]


@pytest.mark.parametrize('changes, message', TLS_CASES, ids=[str(case[0])[:60] for case in TLS_CASES])
def test_a_tls_field_is_refused_naming_it(changes, message):
    assert errors(apps=[alpha(**changes)]) == [message]


def test_the_redirect_may_not_take_a_name_served_on_port_80():
    secure = alpha(name='secure', tls={'certificate': CERT, 'key': KEY})
    assert errors(apps=[alpha(), secure]) == [
        'modwsgi_apps[1].http_redirect: alpha.test:80 is served by modwsgi_apps[0]; set http_redirect: '
        'false, or serve that application over tls too']
    _settings, apps = validate(SETTINGS, [alpha(), dict(secure, http_redirect=False)], PROBE)
    assert [app['port'] for app in apps] == [80, 443]


# System Python (issue 14, item 3).
def test_python_home_is_optional():
    _settings, apps = validate(SETTINGS, [alpha(python_home=None, python_path=['/srv/alpha/lib'])], PROBE)
    assert apps[0]['python_home'] is None
    host = dict(HOST_OK, venvs={}, venv_pythons={},
                mod_wsgi_python={'version': '3.11', 'source': 'the Python of /usr/lib/apache2/modules/mod_wsgi.so'})
    assert host_errors(apps, host) == []


# mod_wsgi_python as read on Debian 12 (mod_wsgi.so links libpython3.11.so.1.0) and a Python 3.9 venv.
WSGI_311 = {'version': '3.11', 'source': 'the Python of /usr/lib/apache2/modules/mod_wsgi.so'}


def test_a_venv_of_another_python_is_refused_naming_both_versions():
    _settings, apps = validate(SETTINGS, APPS, PROBE)
    host = dict(HOST_OK, mod_wsgi_python=WSGI_311,
                venv_pythons={'/srv/alpha/venv': '3.9', '/srv/beta/venv': '3.11'})
    assert host_errors(apps, host) == [
        'modwsgi_apps[0].python_home: /srv/alpha/venv is a Python 3.9 virtual environment, but mod_wsgi runs '
        'Python 3.11 (the Python of /usr/lib/apache2/modules/mod_wsgi.so); make the venv with Python 3.11, '
        "leave python_home out to run on that Python, or build mod_wsgi with the venv's Python "
        '(modwsgi_install: pip, with modwsgi_pip_python null or that Python)']
    # Where the host cannot tell either version, it is not a reason to refuse.
    assert host_errors(apps, dict(host, mod_wsgi_python=None)) == []
    assert host_errors(apps, dict(host, venv_pythons={'/srv/alpha/venv': None})) == []


def test_missing_tls_files_are_named():
    _settings, apps = validate(SETTINGS, [alpha(tls={'certificate': CERT, 'key': KEY, 'chain': '/etc/ssl/chain.pem'})],
                               PROBE)
    host = dict(HOST_OK, files={CERT: True, KEY: False})
    assert host_errors(apps, host) == [
        'modwsgi_apps[0].tls.key: %s is not a file on the host' % KEY,
        'modwsgi_apps[0].tls.chain: /etc/ssl/chain.pem is not a file on the host']


# Several applications under one host (issue 14, item 4).
def _api(**changes):
    app = alpha(name='api', url_path='/api', wsgi_script='/srv/api/app.wsgi', python_home=None,
                python_path=['/srv/api/lib'], static_aliases=[], daemon_options={})
    app.update(changes)
    return app


def test_apps_of_one_host_share_one_vhost_longest_path_first():
    apps_in = [alpha(), _api(), _api(name='deep', url_path='/api/v2'), APPS[1], {'name': 'gone', 'state': 'absent'}]
    _settings, apps = validate(SETTINGS, apps_in, PROBE)
    hosts = _role_input.vhosts(apps)
    assert [(h['file'], h['server_name'], h['port']) for h in hosts] == [
        ('alpha', 'alpha.test', 80), ('beta', 'beta.test', 8080)]
    assert [app['name'] for app in hosts[0]['apps']] == ['deep', 'api', 'alpha']
    assert hosts[0]['server_aliases'] == ['www.alpha.test'] and hosts[0]['tls'] is None
    # api and deep are served from modwsgi-alpha.conf: their own files go, as gone's does.
    assert _role_input.retired(apps) == ['api', 'deep', 'gone']
    # Removing alpha keeps the others: api's file then holds deep and api.
    _settings, apps = validate(SETTINGS, [alpha(state='absent')] + apps_in[1:], PROBE)
    hosts = _role_input.vhosts(apps)
    assert hosts[0]['file'] == 'api' and [app['name'] for app in hosts[0]['apps']] == ['deep', 'api']
    assert _role_input.retired(apps) == ['alpha', 'deep', 'gone']


@pytest.mark.parametrize('field, value', [
    ('server_aliases', ['other.alpha.test']), ('document_root', '/srv/alpha/www'),
    ('error_log', '/var/log/apache2/api.log'), ('access_log', '/var/log/apache2/api.log'),
    ('tls', {'certificate': CERT, 'key': KEY})])
def test_apps_of_one_host_agree_on_its_settings(field, value):
    changes = {field: value}
    if field == 'tls':
        changes['port'] = 80
        changes['http_redirect'] = False
    assert errors(apps=[alpha(), _api(**changes)]) == [
        'modwsgi_apps[1].%s: differs from modwsgi_apps[0].%s; applications of one server_name:port '
        '(alpha.test:80) share one virtual host, so give them the same %s' % (field, field, field)]


def test_apps_of_one_host_without_preload_share_the_application_group():
    assert errors(apps=[alpha(preload=False), _api(preload=False, application_group='api')]) == [
        'modwsgi_apps[1].application_group: differs from that of modwsgi_apps[0], which does not preload '
        'either and serves the same server_name:port (alpha.test:80): without preload, the applications '
        'of one virtual host share one WSGIApplicationGroup']
    # With preload, each alias names its own application group.
    validate(SETTINGS, [alpha(preload=False), _api(application_group='api')], PROBE)


def test_server_aliases_order_does_not_matter():
    validate(SETTINGS, [alpha(server_aliases=['a.test', 'b.test']), _api(server_aliases=['b.test', 'a.test'])], PROBE)


@pytest.mark.parametrize('value', ['replace', 'in_place'])
def test_takeover_s_words_are_kept(value):
    assert validate(SETTINGS, [alpha(takeover=value)], PROBE)[1][0]['takeover'] == value


def test_apps_converted_in_place_may_share_their_site_s_server_name_port():
    shop = alpha(name='shop', takeover='in_place')
    api = alpha(name='api', url_path='/api', takeover='in_place')
    assert [app['name'] for app in validate(SETTINGS, [shop, api], PROBE)[1]] == ['shop', 'api']
    # Not at the same URL path, and not with an app the role serves from its own virtual host.
    assert errors(apps=[shop, dict(api, url_path='/')]) == [
        'modwsgi_apps[1].url_path: %s:80/ is already the URL of modwsgi_apps[0]' % shop['server_name']]
    assert errors(apps=[shop, dict(api, takeover=False)]) == [
        'modwsgi_apps[1].takeover: %s:80 is served by modwsgi_apps[0], and applications of one '
        'server_name:port are either all converted in place or none is' % shop['server_name']]
    # The site keeps its own TLS, and the role writes no virtual host for these apps.
    assert errors(apps=[dict(shop, tls={'certificate': CERT, 'key': KEY}, port=80, http_redirect=False)]) == [
        'modwsgi_apps[0].tls: not used with takeover: in_place; the site keeps its own TLS '
        '(SSLEngine, certificates) as it is']
    _settings, apps = validate(SETTINGS, [shop, api, APPS[1]], PROBE)
    assert [vhost['file'] for vhost in _role_input.vhosts(apps)] == ['beta']
    assert _role_input.retired(apps) == ['shop', 'api']


def test_verify_is_normalized_to_paths_with_statuses():
    _settings, apps = validate(SETTINGS, [alpha(verify=['/', {'path': '/health?full=1', 'status': 200},
                                                        {'path': '/admin/', 'status': [401, '403']}])], PROBE)
    assert apps[0]['verify'] == [{'path': '/', 'status': []}, {'path': '/health?full=1', 'status': [200]},
                                 {'path': '/admin/', 'status': [401, 403]}]
    assert validate(SETTINGS, [alpha()], PROBE)[1][0]['verify'] == []


@pytest.mark.parametrize('value,error', [
    ('/', 'modwsgi_apps[0].verify: must be a list, each entry a path such as "/" or {path: "/health", status: 200}'),
    (['health'], 'modwsgi_apps[0].verify[0].path: "health" is not a URL path: it starts with \'/\' and has no '
                 'space or control character'),
    (['/', '/a b'], 'modwsgi_apps[0].verify[1].path: "/a b" is not a URL path: it starts with \'/\' and has no '
                    'space or control character'),
    ([{'path': '/', 'status': 700}], 'modwsgi_apps[0].verify[0].status: "700" is not an HTTP status from 100 to 599 '
                                     '(or a list of them)'),
    ([{'path': '/', 'code': 200}], 'modwsgi_apps[0].verify[0]: unknown key "code"; the keys are path and status'),
])
def test_a_bad_verify_names_the_entry(value, error):
    assert errors(apps=[alpha(verify=value)]) == [error]


@pytest.mark.parametrize('value', ['maybe', 2])
def test_modwsgi_rollback_is_a_flag(value):
    assert errors(settings={'modwsgi_rollback': value}) == ['modwsgi_rollback: must be true or false']


# -- modwsgi_install: pip: the Python mod_wsgi is built with -----------------------------------
# What module_utils/_preflight.py's venv_interpreter reads of the real pyvenv.cfg files of
# fixtures/venvs/ (Debian 12's python3, pyenv's 3.12.1): test_preflight.py.
SYSTEM_311 = {'path': '/usr/bin/python3.11', 'real': '/usr/bin/python3.11', 'version': '3.11'}
PYENV_312 = {'path': '/root/.pyenv/versions/3.12.1/bin/python3.12',
             'real': '/root/.pyenv/versions/3.12.1/bin/python3.12', 'version': '3.12'}
DISTRO_PYTHON3 = {'path': '/usr/bin/python3', 'real': '/usr/bin/python3.11', 'version': '3.11'}
WANTED = {'python': '/usr/bin/python3', 'venv': '/opt/modwsgi/venv'}
PIP = dict(SETTINGS, modwsgi_install='pip')


def _pip_apps(*homes):
    return validate(PIP, [alpha(name='app%d' % index, server_name='app%d.test' % index, python_home=home)
                          for index, home in enumerate(homes)], PROBE)


def test_pip_mode_builds_with_the_python_of_the_venvs():
    settings, apps = _pip_apps('/srv/a/venv', '/srv/b/venv')
    host = {'venv_interpreters': {'/srv/a/venv': PYENV_312, '/srv/b/venv': PYENV_312},
            'pip': {'python': DISTRO_PYTHON3, 'venv': None}}
    build, errors_found = pip_build(settings, apps, host, WANTED)
    assert errors_found == []
    assert (build['python'], build['version'], build['rebuild']) == (PYENV_312['path'], '3.12', False)
    assert build['source'] == ('the Python that modwsgi_install: pip builds mod_wsgi with, '
                               "/root/.pyenv/versions/3.12.1/bin/python3.12, which the applications' venvs were made with")
    # The venv an earlier run made with the distribution's Python is made again.
    host['pip']['venv'] = SYSTEM_311
    assert pip_build(settings, apps, host, WANTED)[0]['rebuild'] is True
    # ... and the one of this Python is kept: a second run builds nothing.
    host['pip']['venv'] = PYENV_312
    assert pip_build(settings, apps, host, WANTED)[0]['rebuild'] is False


def test_pip_mode_refuses_venvs_of_two_pythons_naming_each():
    settings, apps = _pip_apps('/srv/a/venv', '/srv/b/venv')
    host = {'venv_interpreters': {'/srv/a/venv': SYSTEM_311, '/srv/b/venv': PYENV_312},
            'pip': {'python': DISTRO_PYTHON3, 'venv': SYSTEM_311}}
    assert pip_build(settings, apps, host, WANTED) == (None, [
        'modwsgi_apps: the venvs of the applications are of different Pythons (modwsgi_apps[0].python_home '
        '/srv/a/venv: /usr/bin/python3.11, modwsgi_apps[1].python_home /srv/b/venv: '
        '/root/.pyenv/versions/3.12.1/bin/python3.12), but Apache loads one mod_wsgi, built with one Python '
        '(modwsgi_install: pip): make every python_home with one Python, or set modwsgi_pip_python'])
    # An absent application's venv does not count.
    settings, apps = validate(PIP, [alpha(name='a', python_home='/srv/a/venv'),
                                    alpha(name='b', python_home='/srv/b/venv', state='absent')], PROBE)
    assert pip_build(settings, apps, host, WANTED)[0]['python'] == '/usr/bin/python3.11'


def test_pip_mode_without_venvs_builds_with_the_distribution_s_python():
    settings, apps = _pip_apps(None)
    host = {'venv_interpreters': {}, 'pip': {'python': DISTRO_PYTHON3, 'venv': SYSTEM_311}}
    build = pip_build(settings, apps, host, WANTED)[0]
    assert (build['python'], build['real'], build['rebuild']) == ('/usr/bin/python3', '/usr/bin/python3.11', False)
    # A host that cannot tell (no answer): the family's Python, nothing made again.
    build = pip_build(settings, apps, {}, WANTED)[0]
    assert (build['python'], build['version'], build['rebuild']) == ('/usr/bin/python3', None, False)


def test_modwsgi_pip_python_names_the_python_and_each_venv_must_be_of_its_version():
    settings, apps = validate(dict(PIP, modwsgi_pip_python='/root/.pyenv/versions/3.12.1/bin/python3.12'),
                              [alpha(python_home='/srv/a/venv')], PROBE)
    host = {'venv_interpreters': {'/srv/a/venv': SYSTEM_311}, 'venv_pythons': {'/srv/a/venv': '3.11'},
            'venvs': {'/srv/a/venv': True}, 'scripts': {'/srv/alpha/app.wsgi': True}, 'users': {}, 'groups': {},
            'pip': {'python': PYENV_312, 'venv': SYSTEM_311}}
    build, found = pip_build(settings, apps, host, WANTED)
    assert found == [] and (build['python'], build['rebuild']) == (PYENV_312['path'], True)
    # The action checks each venv against that Python (plugins/action/daemon_mode_preflight.py).
    assert host_errors(apps, dict(host, mod_wsgi_python={'version': build['version'], 'source': build['source']})) == [
        'modwsgi_apps[0].python_home: /srv/a/venv is a Python 3.11 virtual environment, but mod_wsgi runs Python '
        '3.12 (the Python that modwsgi_install: pip builds mod_wsgi with, modwsgi_pip_python '
        '/root/.pyenv/versions/3.12.1/bin/python3.12); make the venv with Python 3.12, leave python_home out to '
        "run on that Python, or build mod_wsgi with the venv's Python (modwsgi_install: pip, with "
        'modwsgi_pip_python null or that Python)']
    # A Python that is not on the host.
    host['pip']['python'] = None
    assert pip_build(settings, apps, host, WANTED) == (None, [
        'modwsgi_pip_python: /root/.pyenv/versions/3.12.1/bin/python3.12 is not a file on the host'])


def test_package_mode_has_no_pip_build_and_the_host_reads_no_pip():
    settings, apps = validate(SETTINGS, [alpha()], PROBE)
    assert pip_build(settings, apps, {}, None) == (None, [])
    assert 'pip' not in os_candidates(settings, apps, role_families())['Debian']
    settings, apps = validate(dict(PIP, modwsgi_pip_python='/opt/py/bin/python3.12'), [alpha()], PROBE)
    assert os_candidates(settings, apps, role_families())['RedHat']['pip'] == {
        'python': '/opt/py/bin/python3.12', 'venv': '/opt/modwsgi/venv'}
