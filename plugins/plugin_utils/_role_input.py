# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The input of the role daemon_mode: per-application defaults and every rule, in one place.

PRIVATE to the collection: this is not a public API and may change at any time.

Runs on the controller, standard library and ansible-core only. The action plugin
``modwsgi.apache.daemon_mode_preflight`` calls :func:`validate` with the role's settings and
``modwsgi_apps`` as given, and, once the host has been read, :func:`host_errors`. Every error
names the setting (``modwsgi_xxx: reason``) or the application's field
(``modwsgi_apps[i].field: reason``). Values go into Apache's configuration, so each rule also
keeps a newline, a quote or ``<`` from becoming a directive (config injection).

meta/argument_specs.yml documents the same contract for users; a unit test keeps its option
names and defaults equal to :data:`APP_DEFAULTS` and defaults/main.yml.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
import re

from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.modwsgi.apache.plugins.module_utils._constants import LAYOUTS, ROLE_FAMILIES

# Every field an application may leave out, and its value then. ``name`` is required.
APP_DEFAULTS = {
    'server_name': None,
    'wsgi_script': None,
    'python_home': None,
    'server_aliases': [],
    'port': None,
    'url_path': '/',
    'python_path': [],
    'processes': 2,
    'threads': 15,
    'user': None,
    'group': None,
    'display_name': '%{GROUP}',
    'application_group': '%{GLOBAL}',
    'preload': True,
    'daemon_options': {},
    'static_aliases': [],
    'document_root': None,
    'error_log': None,
    'access_log': None,
    'state': 'present',
    'takeover': False,
    'tls': None,
    'http_redirect': None,
    'verify': [],
}
APP_FIELDS = ('name',) + tuple(sorted(APP_DEFAULTS))

# Safe character sets for the values that go into Apache's configuration. An absolute path has
# no '.' or '..' component, no space, and only letters, digits and '._@+-'.
_LABEL = r'[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?'
RE_NAME = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$')
RE_HOSTNAME = re.compile(r'^(?=.{1,253}$)%s(\.%s)*$' % (_LABEL, _LABEL))
RE_ALIAS = re.compile(r'^(\*\.)?%s(\.%s)*$' % (_LABEL, _LABEL))
RE_URL_PATH = re.compile(r'^(/|(/[A-Za-z0-9._~-]+)+)$')
RE_ABS_PATH = re.compile(r'^(/(?!\.\.?(/|$))[A-Za-z0-9._@+-]+)+$')
RE_ACCOUNT = re.compile(r'^([a-z_][a-z0-9_-]{0,31}\$?|#[0-9]+)$')
RE_DISPLAY_NAME = re.compile(r'^[A-Za-z0-9%{}()._:-]{1,64}$')
RE_APP_GROUP = re.compile(r'^(%\{GLOBAL\}|%\{SERVER\}|%\{RESOURCE\}|[A-Za-z0-9._|:-]{1,128})$')
RE_TOKEN = re.compile(r'^[A-Za-z0-9._@:+-]{1,128}$')
RE_ACCOUNTS = re.compile(r'^[A-Za-z0-9_.$-]{1,32}(,[A-Za-z0-9_.$-]{1,32})*$')
RE_PACKAGE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9.+_:-]*$')
# A release number on PyPI, such as 6.1.1 (modwsgi_pip_version).
RE_VERSION = re.compile(r'^[0-9]{1,4}(\.[0-9]{1,4}){1,3}$')
# An embedded application as modwsgi_restrict_embedded_accept names it: SERVER:PORT/URL, the
# virtual host as wsgi_facts labels it (``*`` without a name) and the URL path of the mount.
RE_MOUNT_KEY = re.compile(r'^(\*|%s(\.%s)*):([0-9]{1,5})(/|(/[A-Za-z0-9._~-]+)+)$' % (_LABEL, _LABEL))
# A value serialized as JSON (ASCII) contains none of these unless it holds a newline (or any
# control character), a quote, a backslash, a non-ASCII character, '<' or '>'.
_RE_UNSAFE_JSON = re.compile(r'[\\\'<>]')

# WSGIDaemonProcess options an app may give in daemon_options, with their type. From mod_wsgi's
# docs/configuration-directives/WSGIDaemonProcess.rst (master, 6.x). mod_wsgi 4.9.4 (Debian 12)
# rejects switch-interval and interrupt-timeout: Apache's configuration test then fails and the
# role puts its files back.
DAEMON_OPTION_TYPES = {
    'home': 'path', 'umask': 'umask', 'lang': 'token', 'locale': 'token', 'chroot': 'path',
    'supplementary-groups': 'accounts', 'script-user': 'token', 'script-group': 'token',
    'socket-user': 'token', 'python-eggs': 'path', 'switch-interval': 'float',
    'restart-interval': 'int', 'maximum-requests': 'int', 'inactivity-timeout': 'int',
    'request-timeout': 'int', 'interrupt-timeout': 'int', 'deadlock-timeout': 'int',
    'startup-timeout': 'int', 'graceful-timeout': 'int', 'eviction-timeout': 'int',
    'shutdown-timeout': 'int', 'connect-timeout': 'int', 'socket-timeout': 'int',
    'queue-timeout': 'int', 'listen-backlog': 'int', 'cpu-time-limit': 'int',
    'cpu-priority': 'priority', 'memory-limit': 'int', 'virtual-memory-limit': 'int',
    'stack-size': 'int', 'receive-buffer-size': 'int', 'send-buffer-size': 'int',
    'header-buffer-size': 'int', 'response-buffer-size': 'int',
    'response-socket-timeout': 'int', 'server-metrics': 'onoff',
}
# WSGIDaemonProcess options the role writes from an app's own fields: daemon_options may not
# set them (the field to use instead is the value).
DAEMON_OPTION_FIELDS = {
    'processes': 'processes', 'threads': 'threads', 'user': 'user', 'group': 'group',
    'display-name': 'display_name', 'python-home': 'python_home', 'python-path': 'python_path',
}
# Per type: what a value must match (onoff is a boolean), and how an error describes it.
_OPTION_TYPE_RE = {
    'int': re.compile(r'^[0-9]{1,10}$'),
    'priority': re.compile(r'^-?[0-9]{1,2}$'),
    'float': re.compile(r'^[0-9]{1,6}(\.[0-9]{1,9})?$'),
    'path': RE_ABS_PATH,
    'token': RE_TOKEN,
    'accounts': RE_ACCOUNTS,
    'umask': re.compile(r'^0?[0-7]{3}$'),
}
_OPTION_TYPE_WORDS = {
    'int': 'an integer >= 0',
    'priority': 'an integer from -20 to 20',
    'float': 'a number > 0',
    'path': 'an absolute path',
    'token': "a single word (letters, digits, '._@:+-')",
    'accounts': 'group names separated by commas',
    'umask': 'an octal umask such as 0022',
    'onoff': 'true or false',
}

_ABS_PATH_WORDS = "(letters, digits, '._@+-')"


class RoleInputError(Exception):
    """The input is refused; ``errors`` lists every ``field: reason``."""

    def __init__(self, errors):
        self.errors = list(errors)
        super(RoleInputError, self).__init__('; '.join(self.errors))


class _Invalid(Exception):
    """One field's value is refused: the reason (``sub``: the key of a dict field, or the index in
    a list setting, it is about)."""

    def __init__(self, reason, sub=None):
        super(_Invalid, self).__init__(reason)
        self.sub = sub


def shown(value):
    """A value as an error message quotes it: JSON of its text (newlines stay visible)."""
    return json.dumps(value if isinstance(value, str) else str(value))


def _is_list(value):
    return isinstance(value, (list, tuple))


def _bool(value):
    """Ansible's boolean spellings (yes/no, on/off, true/false, 1/0, any case), or _Invalid."""
    try:
        return boolean(value, strict=True)
    except TypeError:
        raise _Invalid('must be true or false')


def _number(value, digits, minimum, maximum, reason):
    """A whole number given as an int or as a string of digits, within [minimum, maximum]."""
    if isinstance(value, bool) or not re.match(r'^[0-9]{1,%d}$' % digits, str(value)):
        raise _Invalid(reason)
    number = int(str(value))
    if not minimum <= number <= maximum:
        raise _Invalid(reason)
    return number


def _match(regex, value):
    return isinstance(value, str) and regex.match(value) is not None


def _abs_path(value, reason='must be an absolute path'):
    if not _match(RE_ABS_PATH, value):
        raise _Invalid(reason)
    return value


def _optional_abs_path(value):
    return None if value is None else _abs_path(value)


# The role's settings: name -> function(value, settings) returning the normalized value.
def _install(value, _settings):
    if value not in ('package', 'pip'):
        raise _Invalid('must be package or pip, not %s' % shown(value))
    return value


def _pip_version(value, _settings):
    if not _match(RE_VERSION, value):
        raise _Invalid('%s is not a release number such as "6.1.1" (a quoted string)' % shown(value))
    return value


def _pip_venv(value, _settings):
    return _abs_path(value, '%s is not an absolute path %s' % (shown(value), _ABS_PATH_WORDS))


def _pip_python(value, _settings):
    if value is None or _match(RE_ABS_PATH, value):
        return value
    raise _Invalid('%s is not null or the absolute path of a Python %s' % (shown(value), _ABS_PATH_WORDS))


def _pip_cert(value, _settings):
    if value is None or value == '' or _match(RE_ABS_PATH, value):
        return value
    raise _Invalid("%s is not null, '' or the absolute path of a CA bundle" % shown(value))


def _mpm(value, _settings):
    if value not in ('auto', 'event', 'worker', 'prefork'):
        raise _Invalid('must be auto, event, worker or prefork, not %s' % shown(value))
    return value


def _mpm_tuning(value, _settings):
    if value == 'auto':
        return value
    try:
        if not boolean(value, strict=True):
            return False
    except TypeError:
        pass
    raise _Invalid('must be false or auto, not %s' % shown(value))


def _flag(value, _settings):
    return _bool(value)


def _verify(value, settings):
    reason = 'must be true or false, and true needs modwsgi_probe=true (verification asks the probe)'
    try:
        verify = boolean(value, strict=True)
    except TypeError:
        raise _Invalid(reason)
    try:
        probe = boolean(settings.get('modwsgi_probe', True), strict=True)
    except TypeError:
        probe = True  # modwsgi_probe's own error says why
    if verify and not probe:
        raise _Invalid(reason)
    return verify


def _socket_prefix(value, _settings):
    return _abs_path(value, "must be an absolute path (letters, digits, '.', '_', '-', '@', '+')")


def _service(value, _settings):
    if not _match(RE_TOKEN, value):
        raise _Invalid('must be a service name')
    return value


def _packages(value, _settings):
    if not _is_list(value) or not all(_match(RE_PACKAGE, str(name)) for name in value):
        raise _Invalid('must be a list of package names')
    return [str(name) for name in value]


def mount_key(text):
    """``SERVER:PORT/URL`` with the server's name in lower case (httpd compares names so)."""
    server, slash, url = text.partition('/')
    return server.lower() + slash + url


def _restrict_embedded_accept(value, _settings):
    """The embedded applications the user accepts to see answer 500 (plugin_utils/_collateral.py
    says which entries the host must have)."""
    reason = ('must be a list, each entry SERVER:PORT/URL (such as "legacy.example:80/" or '
              '"*:80/app") or the absolute path of a WSGI script')
    if not _is_list(value):
        raise _Invalid(reason)
    result = []
    for index, entry in enumerate(value):
        if _match(RE_MOUNT_KEY, entry):
            entry = mount_key(entry)
        elif not _match(RE_ABS_PATH, entry):
            raise _Invalid('%s is not SERVER:PORT/URL (such as "legacy.example:80/" or "*:80/app") nor the '
                           'absolute path of a WSGI script' % shown(entry), sub=index)
        if entry in result:
            raise _Invalid('%s is listed twice' % shown(entry), sub=index)
        result.append(entry)
    return result


def _reload_timeout(value, _settings):
    return _number(value, 10, 1, 10 ** 10, 'must be a number of seconds (at least 1)')


SETTINGS = (
    ('modwsgi_install', _install),
    ('modwsgi_pip_version', _pip_version),
    ('modwsgi_pip_venv', _pip_venv),
    ('modwsgi_pip_cert', _pip_cert),
    ('modwsgi_pip_python', _pip_python),
    ('modwsgi_mpm', _mpm),
    ('modwsgi_mpm_tuning', _mpm_tuning),
    ('modwsgi_restrict_embedded', _flag),
    ('modwsgi_restrict_embedded_accept', _restrict_embedded_accept),
    ('modwsgi_probe', _flag),
    ('modwsgi_verify', _verify),
    ('modwsgi_rollback', _flag),
    ('modwsgi_socket_prefix', _socket_prefix),
    ('modwsgi_service', _service),
    ('modwsgi_packages', _packages),
    ('modwsgi_backup_dir', _socket_prefix),
    ('modwsgi_reload_timeout', _reload_timeout),
)

# The settings whose default is the host's OS family's value in the role's table
# (:func:`role_families`), by the key there: null means the family's.
OS_SETTINGS = {'modwsgi_service': 'service', 'modwsgi_packages': 'packages', 'modwsgi_socket_prefix': 'socket_prefix'}


def role_families():
    """The role's table of OS families: ``_constants.ROLE_FAMILIES``, each with its layout's
    ``service`` and, as ``main_files``, its ``config_file`` (a virtual host in Apache's main
    configuration file cannot be taken over)."""
    table = copy.deepcopy(ROLE_FAMILIES)
    for entry in table.values():
        layout = LAYOUTS[entry['layout']]
        entry.update(service=layout['service'], main_files=[layout['config_file']])
    return table


def os_candidates(settings, apps, families):
    """What the role needs of each OS family, with the user's settings applied.

    :param settings: :func:`validate`'s normalized settings (an :data:`OS_SETTINGS` name is
        there only when the user gave it).
    :param families: the role's table: ``{os_family: {'ctl', 'service', 'socket_prefix',
        'packages': {modwsgi_install: [...]}, 'pip_conflicts', 'tls_packages'}}``.
    :returns: ``{os_family: {'ctl', 'service', 'socket_prefix', 'packages', 'conflicts'}}``:
        ``packages`` are ``modwsgi_packages`` or the family's for ``modwsgi_install``, and the
        family's ``tls_packages`` when a present application has ``tls``; ``conflicts`` are its
        ``pip_conflicts`` with ``modwsgi_install: pip``; with it too, ``pip``: ``{'python',
        'venv'}``, the Python to build with unless the applications' venvs say
        (``modwsgi_pip_python`` or the family's ``pip_python``) and ``modwsgi_pip_venv``, which
        the host reads (module_utils/_preflight.py, pip_pythons).
    """
    install = settings.get('modwsgi_install', 'package')
    tls = any(app['state'] == 'present' and app['tls'] for app in apps)
    result = {}
    for family, table in families.items():
        chosen = dict((key, settings.get(name, table.get(key))) for name, key in OS_SETTINGS.items())
        if 'modwsgi_packages' not in settings:
            chosen['packages'] = (table.get('packages') or {}).get(install, [])
        chosen['packages'] = [str(name) for name in chosen['packages']]
        if tls:
            chosen['packages'] += [str(name) for name in table.get('tls_packages') or []]
        chosen['conflicts'] = [str(name) for name in table.get('pip_conflicts') or []] if install == 'pip' else []
        if install == 'pip':
            chosen['pip'] = {'python': settings.get('modwsgi_pip_python') or table.get('pip_python'),
                             'venv': settings.get('modwsgi_pip_venv', '/opt/modwsgi/venv')}
        chosen['ctl'] = table['ctl']
        result[family] = chosen
    return result


# The fields of one application: name -> function(value, app, context) returning the
# normalized value. ``app`` has the defaults applied; ``context`` has ``absent`` and ``probe_url``.
def _name(value, _app, _ctx):
    if not _match(RE_NAME, value):
        raise _Invalid("%s is not a safe name: letters, digits, '.', '_' and '-', up to 64" % shown(value))
    return value


def _state(value, _app, _ctx):
    if value not in ('present', 'absent'):
        raise _Invalid('must be present or absent')
    return value


def _required(value, ctx, regex, wrong, required='is required for a present application'):
    if ctx['absent'] or _match(regex, value):
        return value
    raise _Invalid(required if value is None else '%s %s' % (shown(value), wrong))


def _server_name(value, _app, ctx):
    return _required(value, ctx, RE_HOSTNAME, 'is not a host name')


def _host_list(value, _app, ctx):
    if ctx['absent'] or (_is_list(value) and all(_match(RE_ALIAS, alias) for alias in value)):
        return value
    raise _Invalid("must be a list of host names (a '*.' prefix is allowed)")


def _port(value, app, _ctx):
    if value is None:
        return 443 if app['tls'] else 80
    return _number(value, 5, 1, 65535, '%s is not a port (1-65535)' % shown(value))


# The keys of an application's tls, and whether each is required.
TLS_KEYS = {'certificate': True, 'key': True, 'chain': False, 'self_signed': False}


def _tls(value, _app, ctx):
    """None, or {certificate, key, chain (None), self_signed (bool)}: the HTTPS virtual host."""
    if value is None or ctx['absent']:
        return value
    if not isinstance(value, dict):
        raise _Invalid('must be a dict with certificate, key, and optionally chain and self_signed')
    for key in sorted(value, key=str):
        if key not in TLS_KEYS:
            raise _Invalid('unknown key; the keys are %s' % ', '.join(sorted(TLS_KEYS)), sub=key)
    tls = {'chain': None, 'self_signed': False}
    for key in ('certificate', 'key', 'chain'):
        path = value.get(key)
        if path is None and not TLS_KEYS[key]:
            continue
        if path is None:
            raise _Invalid('is required with tls (the absolute path of a PEM file on the host)', sub=key)
        if not _match(RE_ABS_PATH, path):
            raise _Invalid('%s is not an absolute path %s' % (shown(path), _ABS_PATH_WORDS), sub=key)
        tls[key] = path
    try:
        tls['self_signed'] = _bool(value.get('self_signed', False))
    except _Invalid as exc:
        raise _Invalid(str(exc), sub='self_signed')
    return tls


def _http_redirect(value, app, ctx):
    """True by default with tls: a port-80 virtual host that redirects to https."""
    if ctx['absent']:
        return value
    if value is None:
        return bool(app['tls']) and app['port'] != 80
    if not _bool(value):
        return False
    if not app['tls']:
        raise _Invalid('needs tls: the redirect goes to the https virtual host')
    if app['port'] == 80:
        raise _Invalid('the https virtual host is on port 80, where the redirect would be')
    return True


def _url_path(value, _app, ctx):
    if ctx['absent'] or (_match(RE_URL_PATH, value)
                         and not (value + '/').startswith(ctx['probe_url'] + '/')):
        return value
    raise _Invalid("%s must start with '/', have no trailing '/' (except '/' itself), use only "
                   "letters, digits and '._~-', and not be under %s" % (shown(value), ctx['probe_url']))


def _wsgi_script(value, _app, ctx):
    return _required(value, ctx, RE_ABS_PATH, 'is not an absolute path')


def _python_home(value, _app, _ctx):
    """A venv, or None: the Python mod_wsgi is built against (with python_path for the code)."""
    if value is None or _match(RE_ABS_PATH, value):
        return value
    raise _Invalid('%s is not an absolute path' % shown(value))


def _python_path(value, _app, ctx):
    if ctx['absent'] or (_is_list(value) and all(_match(RE_ABS_PATH, path) for path in value)):
        return value
    raise _Invalid('must be a list of absolute paths')


def _count(what):
    def check(value, _app, _ctx):
        return _number(value, 4, 1, 9999, '%s is not a number of %s (at least 1)' % (shown(value), what))
    return check


def _user(value, _app, _ctx):
    if value is None or (_match(RE_ACCOUNT, value) and value not in ('root', '#0')):
        return value
    raise _Invalid('%s is refused: daemon processes never run as root, and a user is a name or #uid'
                   % shown(value))


def _group(value, _app, _ctx):
    if value is None or (_match(RE_ACCOUNT, value) and value not in ('root', '#0')):
        return value
    raise _Invalid('%s is refused: not root, and a group is a name or #gid' % shown(value))


def _display_name(value, _app, _ctx):
    if not _match(RE_DISPLAY_NAME, value):
        raise _Invalid("%s: letters, digits and '%%{}()._:-' only, up to 64" % shown(value))
    return value


def _application_group(value, _app, _ctx):
    if not _match(RE_APP_GROUP, value):
        raise _Invalid('%s: %%{GLOBAL}, %%{SERVER}, %%{RESOURCE} or a plain name' % shown(value))
    return value


def _app_flag(value, _app, _ctx):
    return _bool(value)


def _takeover(value, _app, _ctx):
    """False, ``replace`` or ``in_place``; true (any of Ansible's spellings) means ``replace``."""
    if value in ('replace', 'in_place'):
        return value
    try:
        return 'replace' if boolean(value, strict=True) else False
    except TypeError:
        raise _Invalid('must be false, true (the same as replace), replace or in_place, not %s' % shown(value))


def _daemon_options(value, _app, _ctx):
    if not isinstance(value, dict):
        raise _Invalid('must be a dict of WSGIDaemonProcess options')
    return value


def _static_aliases(value, _app, ctx):
    if ctx['absent'] or (_is_list(value) and all(
            isinstance(alias, dict) and _match(RE_URL_PATH, alias.get('url'))
            and _match(RE_ABS_PATH, alias.get('path')) for alias in value)):
        return value
    raise _Invalid('must be a list of {url, path}, each url a URL path and each path absolute')


def _optional_path_field(value, _app, _ctx):
    return _optional_abs_path(value)


# A path (and query) the verify step requests: printable ASCII without spaces, from '/'.
RE_VERIFY_PATH = re.compile(r'^/[A-Za-z0-9._~!$&()*+,;=:@%/?-]{0,2047}$')


def _verify_checks(value, _app, ctx):
    """The application's own URLs the verify step requests: a list, each a path or
    ``{path, status}`` (a status or a list of them); normalized to ``[{path, status: [...]}]``."""
    if ctx['absent']:
        return value
    if not _is_list(value):
        raise _Invalid('must be a list, each entry a path such as "/" or {path: "/health", status: 200}')
    result = []
    for index, entry in enumerate(value):
        check = dict(entry) if isinstance(entry, dict) else {'path': entry}
        unknown = sorted(set(check) - set(('path', 'status')), key=str)
        if unknown:
            raise _Invalid('unknown key %s; the keys are path and status' % shown(unknown[0]), sub='[%d]' % index)
        if not _match(RE_VERIFY_PATH, check.get('path')):
            raise _Invalid("%s is not a URL path: it starts with '/' and has no space or control "
                           "character" % shown(check.get('path')), sub='[%d].path' % index)
        status = check.get('status')
        codes = [] if status is None else (list(status) if _is_list(status) else [status])
        try:
            codes = [_number(code, 3, 100, 599, '%s is not an HTTP status from 100 to 599 (or a list of them)'
                             % shown(status)) for code in codes]
        except _Invalid as exc:
            raise _Invalid(str(exc), sub='[%d].status' % index)
        result.append({'path': check['path'], 'status': codes})
    return result


APP_RULES = (
    ('name', _name),
    ('state', _state),
    ('server_name', _server_name),
    ('server_aliases', _host_list),
    ('tls', _tls),
    ('port', _port),
    ('http_redirect', _http_redirect),
    ('url_path', _url_path),
    ('wsgi_script', _wsgi_script),
    ('python_home', _python_home),
    ('python_path', _python_path),
    ('processes', _count('processes')),
    ('threads', _count('threads')),
    ('user', _user),
    ('group', _group),
    ('display_name', _display_name),
    ('application_group', _application_group),
    ('preload', _app_flag),
    ('daemon_options', _daemon_options),
    ('static_aliases', _static_aliases),
    ('document_root', _optional_path_field),
    ('error_log', _optional_path_field),
    ('access_log', _optional_path_field),
    ('takeover', _takeover),
    ('verify', _verify_checks),
)


def daemon_option(key, value, field_prefix):
    """One daemon option's normalized value (an onoff option becomes a bool), or _Invalid."""
    if key in DAEMON_OPTION_FIELDS:
        raise _Invalid('set it with %s.%s instead' % (field_prefix, DAEMON_OPTION_FIELDS[key]))
    kind = DAEMON_OPTION_TYPES.get(key)
    if kind is None:
        raise _Invalid('unknown WSGIDaemonProcess option; the known ones are %s'
                       % ', '.join(sorted(DAEMON_OPTION_TYPES)))
    wrong = _Invalid('%s is not %s' % (shown(value), _OPTION_TYPE_WORDS[kind]))
    if kind == 'onoff':
        try:
            return boolean(value, strict=True)
        except TypeError:
            raise wrong
    if isinstance(value, (bool, dict, list, tuple)) or value is None:
        raise wrong
    text = str(value)
    if not _OPTION_TYPE_RE[kind].match(text):
        raise wrong
    if kind == 'priority' and not -20 <= int(text) <= 20:
        raise wrong
    if kind == 'float' and float(text) <= 0:
        raise wrong
    return value


def _unsafe(value):
    return _RE_UNSAFE_JSON.search(json.dumps(value, sort_keys=True)) is not None


def _app(index, raw, probe_url, errors):
    """One application with its defaults applied and each value normalized; errors appended."""
    prefix = 'modwsgi_apps[%d]' % index
    app = dict(name=None, **copy.deepcopy(APP_DEFAULTS))
    app.update(raw)
    for key in sorted(set(raw) - set(APP_FIELDS)):
        errors.append('%s.%s: unknown field; the fields are %s' % (prefix, key, ', '.join(APP_FIELDS)))
    if 'name' not in raw:
        errors.append('%s.name: is required' % prefix)
    unsafe = set()
    for key in APP_FIELDS:
        if key in raw and _unsafe(app[key]):
            unsafe.add(key)
            errors.append("%s.%s: a newline (or other control character), a quote, a backslash, a "
                          "non-ASCII character, '<' or '>' is not allowed: the value goes into "
                          "Apache's configuration" % (prefix, key))
    ctx = {'absent': app['state'] == 'absent', 'probe_url': probe_url}
    for field, rule in APP_RULES:
        if field in unsafe or (field == 'name' and app['name'] is None):
            continue
        try:
            app[field] = rule(app[field], app, ctx)
        except _Invalid as exc:
            sub = '' if exc.sub is None else exc.sub if exc.sub.startswith('[') else '.' + exc.sub
            errors.append('%s.%s%s: %s' % (prefix, field, sub, exc))
    if isinstance(app['daemon_options'], dict) and 'daemon_options' not in unsafe:
        options = {}
        for key in sorted(app['daemon_options'], key=str):
            try:
                options[key] = daemon_option(key, app['daemon_options'][key], prefix)
            except _Invalid as exc:
                errors.append('%s.daemon_options.%s: %s' % (prefix, key, exc))
        app['daemon_options'] = options
    return app


def validate(settings, apps, probe_url):
    """The role's settings and applications, normalized, or RoleInputError naming each field.

    :param settings: ``{modwsgi_xxx: value}`` of the role's settings (those in :data:`SETTINGS`
        that are given; an absent one is not checked, nor a null one of :data:`OS_SETTINGS`:
        the host's OS family's value applies, :func:`os_candidates`).
    :param apps: ``modwsgi_apps`` as the user wrote it.
    :param probe_url: where the role mounts the probe (no application may be under it).
    :returns: ``(settings, apps)``: booleans are real booleans, numbers are ints, and each
        application has every field of :data:`APP_DEFAULTS`.
    """
    errors = []
    normalized = {}
    for name, rule in SETTINGS:
        if name not in settings or (name in OS_SETTINGS and settings[name] is None):
            continue
        try:
            normalized[name] = rule(settings[name], settings)
        except _Invalid as exc:
            # A list setting's entry is named by its index: modwsgi_xxx[i].
            errors.append('%s%s: %s' % (name, '' if exc.sub is None else '[%s]' % exc.sub, exc))
    if not _is_list(apps) or not all(isinstance(app, dict) for app in apps):
        raise RoleInputError(errors + ['modwsgi_apps: must be a list of dicts (one per application)'])
    result = [_app(index, raw, probe_url, errors) for index, raw in enumerate(apps)]
    errors.extend(_conflicts(result, errors))
    if errors:
        raise RoleInputError(errors)
    return normalized, result


# What the applications of one host (server_name:port) share: one virtual host has one value.
HOST_FIELDS = ('server_aliases', 'document_root', 'error_log', 'access_log', 'tls', 'http_redirect')


def _host_value(app, field):
    return sorted(app[field]) if field == 'server_aliases' else app[field]


def _conflicts(apps, errors):
    """Names used twice; apps of one server_name:port at one url_path or with different host
    settings (HOST_FIELDS); an http_redirect on a server_name:80 that an application serves."""
    found = []
    names = set()
    hosts = {}  # (server_name, port) -> index of its first application
    paths = {}  # (server_name, port, url_path) -> index
    for index, app in enumerate(apps):
        prefix = 'modwsgi_apps[%d]' % index
        if any(error.startswith(prefix + '.') for error in errors):
            continue
        if app['name'] in names:
            found.append('%s.name: %s is the name of an earlier application' % (prefix, shown(app['name'])))
        names.add(app['name'])
        if app['state'] != 'present':
            continue
        where = (app['server_name'], app['port'])
        first = hosts.setdefault(where, index)
        if (where + (app['url_path'],)) in paths:
            found.append('%s.url_path: %s:%s%s is already the URL of modwsgi_apps[%d]'
                         % ((prefix,) + where + (app['url_path'], paths[where + (app['url_path'],)])))
        paths.setdefault(where + (app['url_path'],), index)
        # A site converted in place keeps its own virtual host: its applications share nothing
        # of ours, and ours cannot share its server_name:port.
        if (app['takeover'] == 'in_place') != (apps[first]['takeover'] == 'in_place'):
            found.append('%s.takeover: %s:%s is served by modwsgi_apps[%d], and applications of one '
                         'server_name:port are either all converted in place or none is'
                         % ((prefix,) + where + (first,)))
            continue
        if app['takeover'] == 'in_place':
            if app['tls']:
                found.append('%s.tls: not used with takeover: in_place; the site keeps its own TLS '
                             '(SSLEngine, certificates) as it is' % prefix)
            continue
        unloaded = [other for other in range(first, index) if apps[other]['state'] == 'present'
                    and not apps[other]['preload'] and (apps[other]['server_name'], apps[other]['port']) == where]
        if not app['preload'] and unloaded and apps[unloaded[0]]['application_group'] != app['application_group']:
            found.append('%s.application_group: differs from that of modwsgi_apps[%d], which does not '
                         'preload either and serves the same server_name:port (%s:%s): without preload, '
                         'the applications of one virtual host share one WSGIApplicationGroup'
                         % ((prefix, unloaded[0]) + where))
        for field in HOST_FIELDS if first != index else ():
            if _host_value(app, field) != _host_value(apps[first], field):
                found.append('%s.%s: differs from modwsgi_apps[%d].%s; applications of one '
                             'server_name:port (%s:%s) share one virtual host, so give them the same %s'
                             % ((prefix, field, first, field) + where + (field,)))
    for index, app in enumerate(apps):
        if app['state'] == 'present' and app['takeover'] != 'in_place' and app['http_redirect'] is True \
                and (app['server_name'], 80) in hosts \
                and not any(error.startswith('modwsgi_apps[%d].' % index) for error in errors):
            found.append('modwsgi_apps[%d].http_redirect: %s:80 is served by modwsgi_apps[%d]; set '
                         'http_redirect: false, or serve that application over tls too'
                         % (index, app['server_name'], hosts[(app['server_name'], 80)]))
    return found


def _url_length(app):
    return -len(app['url_path'].rstrip('/'))


def vhosts(apps):
    """The virtual hosts of the present applications, one per server_name:port (not those
    converted in place: their own site serves them).

    Each is the first application's host settings (HOST_FIELDS, equal for all of them), with
    ``file`` (the first application's name: modwsgi-<file>.conf) and ``apps``: the longest
    url_path first, because mod_wsgi mounts a request on the first WSGIScriptAlias that matches
    it, in configuration order (``wsgi_hook_intercept`` in mod_wsgi.c).
    """
    result = []
    by_host = {}
    for app in apps:
        # An application converted in place is served by its own site, not by a file of ours.
        if app['state'] != 'present' or app['takeover'] == 'in_place':
            continue
        where = (app['server_name'], app['port'])
        if where not in by_host:
            by_host[where] = dict(((field, app[field]) for field in HOST_FIELDS),
                                  file=app['name'], server_name=app['server_name'], port=app['port'], apps=[])
            result.append(by_host[where])
        by_host[where]['apps'].append(app)
    for vhost in result:
        vhost['apps'].sort(key=_url_length)
    return result


def retired(apps):
    """The names whose file modwsgi-<name>.conf must not stay: absent applications, and those
    served from another application's file (several applications of one host)."""
    files = set(vhost['file'] for vhost in vhosts(apps))
    return [app['name'] for app in apps if app['name'] not in files]


def pip_build(settings, apps, host, wanted):
    """With ``modwsgi_install: pip``, the Python mod_wsgi is built with, and whether
    ``modwsgi_pip_venv`` is of another Python and must be made again; ``(None, [])`` otherwise.

    Apache loads one mod_wsgi, built for one Python. That is ``modwsgi_pip_python`` when it is
    set; else the Python every present application's venv was made with (they must agree on
    one); else, with no venv, the family's ``pip_python`` (the distribution's python3).

    :param host: the host module's answer: ``venv_interpreters`` and ``pip``
        (module_utils/_preflight.py, venv_interpreter and pip_pythons).
    :param wanted: the host's family's ``pip`` of :func:`os_candidates` (what the host read).
    :returns: ``(build, errors)``: ``build`` is ``{'python', 'real', 'version', 'source',
        'rebuild', 'venv_python'}``: the Python to run ``-m venv`` with, the file it is, its
        ``X.Y`` (``real`` and ``version`` are ``None`` where the host cannot tell), why it is
        that one, whether the venv there now (of the Python ``venv_python``, or ``None``) goes;
        ``errors`` name the field.
    """
    if settings.get('modwsgi_install') != 'pip':
        return None, []
    found = host.get('pip') or {}
    interpreters = host.get('venv_interpreters') or {}
    used = [(index, app['python_home'], interpreters[app['python_home']]) for index, app in enumerate(apps)
            if app['state'] == 'present' and app['python_home'] and interpreters.get(app['python_home'])]
    setting = settings.get('modwsgi_pip_python')
    chosen = found.get('python') or {'path': wanted['python'], 'real': None, 'version': None}
    if setting is not None:
        source = 'modwsgi_pip_python %s' % setting
        if 'python' in found and found['python'] is None:
            return None, ['modwsgi_pip_python: %s is not a file on the host' % setting]
    elif len(set(python['real'] for dummy, dummy, python in used)) > 1:
        return None, ['modwsgi_apps: the venvs of the applications are of different Pythons (%s), but Apache loads '
                      'one mod_wsgi, built with one Python (modwsgi_install: pip): make every python_home with one '
                      'Python, or set modwsgi_pip_python'
                      % ', '.join('modwsgi_apps[%d].python_home %s: %s' % (index, home, python['real'])
                                  for index, home, python in used)]
    elif used:
        chosen = used[0][2]
        source = "%s, which the applications' venvs were made with" % chosen['real']
    else:
        source = "the distribution's %s" % chosen['path']
    venv = found.get('venv')
    return {'python': chosen['path'], 'real': chosen['real'], 'version': chosen['version'],
            'source': 'the Python that modwsgi_install: pip builds mod_wsgi with, %s' % source,
            'rebuild': bool(venv and chosen['real'] and venv['real'] != chosen['real']),
            'venv_python': venv['real'] if venv else None}, []


def host_errors(apps, host):
    """What the host contradicts: ``modwsgi_apps[i].field: reason`` for each present application.

    :param host: the answer of the host module: ``venvs``, ``scripts``, ``users``, ``groups``
        and ``files`` (the tls files), each ``{name: true or false}``; ``venv_pythons``
        (``{python_home: "X.Y" or None}``) and ``mod_wsgi_python`` (``{version, source}`` of
        the Python mod_wsgi is built for, or None when the host cannot tell).
    """
    errors = []
    wsgi_python = host.get('mod_wsgi_python') or {}
    for index, app in enumerate(apps):
        if app['state'] != 'present':
            continue
        prefix = 'modwsgi_apps[%d]' % index
        home = app['python_home']
        venv_python = host.get('venv_pythons', {}).get(home)
        if home is not None and not host['venvs'].get(home, False):
            errors.append('%s.python_home: %s is not a virtual environment on the host (no pyvenv.cfg)'
                          % (prefix, home))
        elif home is not None and venv_python and wsgi_python.get('version') \
                and venv_python != wsgi_python['version']:
            errors.append('%s.python_home: %s is a Python %s virtual environment, but mod_wsgi runs '
                          'Python %s (%s); make the venv with Python %s, leave python_home out to run on '
                          'that Python, or build mod_wsgi with the venv\'s Python (modwsgi_install: pip, '
                          'with modwsgi_pip_python null or that Python)'
                          % (prefix, home, venv_python, wsgi_python['version'], wsgi_python['source'],
                             wsgi_python['version']))
        for key in ('certificate', 'key', 'chain'):
            path = (app['tls'] or {}).get(key)
            if path is not None and not host.get('files', {}).get(path, False):
                errors.append('%s.tls.%s: %s is not a file on the host' % (prefix, key, path))
        if not host['scripts'].get(app['wsgi_script'], False):
            errors.append('%s.wsgi_script: %s is not a file on the host' % (prefix, app['wsgi_script']))
        for field, table, what in (('user', 'users', 'user'), ('group', 'groups', 'group')):
            account = app[field]
            if account is not None and not account.startswith('#') and not host[table].get(account, False):
                errors.append('%s.%s: %s is not a %s on the host' % (prefix, field, account, what))
    return errors
