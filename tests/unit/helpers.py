"""Shared helpers for the unit tests: where fixtures are, and replaying captured commands."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import binascii
import contextlib
import json
import os
import shutil

try:
    # ansible-core 2.19 and later; re-exported for the module tests
    from ansible.module_utils.testing import patch_module_args  # noqa: F401 pylint: disable=unused-import
except ImportError:
    @contextlib.contextmanager
    def patch_module_args(args=None):
        """ansible-core 2.19's patch_module_args, for older ansible-core: the module arguments
        ``AnsibleModule`` reads, as ``basic._ANSIBLE_ARGS``."""
        from ansible.module_utils import basic
        from ansible.module_utils.common.text.converters import to_bytes
        before = basic._ANSIBLE_ARGS
        basic._ANSIBLE_ARGS = to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args or {}}))
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = before

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures')
DEBIAN = os.path.join(FIXTURES, 'debian')
PUBLIC = os.path.join(FIXTURES, 'public')
TREES = os.path.join(FIXTURES, 'trees')

DEBIAN_VERSIONS = ('11', '12', '13')
MPMS = ('prefork', 'worker', 'event')


# The host records of fixtures/report (see its README), as playbooks/audit.yml wrote them.
REPORT_HOSTS = ('event', 'prefork', 'gone')


def report_record(name):
    """The captured host record fixtures/report/record-NAME.json (NAME in REPORT_HOSTS)."""
    with open(os.path.join(FIXTURES, 'report', 'record-%s.json' % name)) as handle:
        return json.load(handle)


def read(*parts):
    with open(os.path.join(FIXTURES, *parts)) as handle:
        return handle.read()


def banner_bytes(version):
    """The real bytes of Debian ``version``'s /usr/sbin/apache2 around its banner
    (debian/capture-banner.sh)."""
    return binascii.unhexlify(read('debian', version, 'apache2-banner.hex').splitlines()[1])


def captured(directory, name):
    """``(rc, stdout, stderr)`` of a command captured by debian/capture.sh."""
    base = os.path.join(directory, name)
    with open(base + '.rc') as rc, open(base + '.stdout') as out, open(base + '.stderr') as err:
        return int(rc.read().strip()), out.read(), err.read()


class Replay(object):
    """A ``run(argv)`` that answers with the outputs captured in one fixture directory.

    ``apache2ctl -X`` is answered from ``ctl-X.*`` and ``apache2 -X`` from ``bin-X.*``
    (``apache2ctl -S -M`` from ``ctl-S-M.*``); every call is recorded in ``calls``. A command
    that was not captured answers as a missing command would (rc 127), so a test never gets
    output nobody saw. The one exception: ``-S -M`` where only ``-S`` and ``-M`` were captured
    apart (capture-configtest.sh, mod_php) answers with the rc and stderr of ``-S`` and the
    two stdouts one after the other, which is what httpd prints in one run: the real
    ``ctl-S-M`` captures (capture-combined.sh) show it, see
    test_httpd_output.py::test_combined_run_reads_as_the_separate_runs.
    """

    def __init__(self, directory):
        self.directory = directory
        self.calls = []

    def __call__(self, argv):
        self.calls.append(list(argv))
        prefix = 'ctl' if os.path.basename(argv[0]).endswith('ctl') else 'bin'
        name = '%s%s' % (prefix, ''.join(argv[1:]))
        if not os.path.exists(os.path.join(self.directory, name + '.rc')):
            if argv[1:] == ['-S', '-M'] and all(
                    os.path.exists(os.path.join(self.directory, part + '.rc'))
                    for part in ('ctl-S', 'ctl-M')):
                rc_s, out_s, err_s = captured(self.directory, 'ctl-S')
                return rc_s, out_s + captured(self.directory, 'ctl-M')[1], err_s
            return 127, '', '%s: not captured for this fixture' % name
        return captured(self.directory, name)


def debian_sysroot(tmp_path, version, mpm):
    """A copy of the captured /etc/apache2 of Debian ``version`` (event enabled), switched to
    ``mpm`` exactly as ``a2dismod mpm_event && a2enmod mpm_<mpm>`` does: symlinks in
    mods-enabled to the package's own files in mods-available."""
    root = str(tmp_path / 'root')
    shutil.copytree(os.path.join(TREES, 'debian%s' % version, 'etc'), os.path.join(root, 'etc'),
                    symlinks=True)
    enabled = os.path.join(root, 'etc', 'apache2', 'mods-enabled')
    for name in os.listdir(enabled):
        if name.startswith('mpm_'):
            os.unlink(os.path.join(enabled, name))
    for ext in ('load', 'conf'):
        os.symlink('../mods-available/mpm_%s.%s' % (mpm, ext),
                   os.path.join(enabled, 'mpm_%s.%s' % (mpm, ext)))
    return root


CONFIGTEST = os.path.join(DEBIAN, 'configtest')


class DebianHost(object):
    """A ``run(argv)`` for a Debian fixture tree whose state changes during a test.

    Each command is answered from the capture (``debian/configtest/V/<state>/``, see
    capture-configtest.sh) of the state the tree is in *now*: the MPMs enabled in
    ``mods-enabled``, ``two-mpms`` when more than one is, ``mod_php`` when ``php`` is set, and
    for ``-t`` the third-party ``zz-thirdparty.conf`` (``worker-only/<mpm>``) or
    ``zz-broken.conf`` (``broken``) when present. So every answer is one Apache really gave
    for that state.
    """

    def __init__(self, version, root, php=False):
        self.version = version
        self.root = root
        self.php = php
        self.calls = []

    def state(self, argv):
        enabled = sorted(name[4:-5] for name in os.listdir(
            os.path.join(self.root, 'etc', 'apache2', 'mods-enabled'))
            if name.startswith('mpm_') and name.endswith('.load'))
        conf = os.path.join(self.root, 'etc', 'apache2', 'conf-enabled')
        if len(enabled) > 1:
            return os.path.join(CONFIGTEST, self.version, 'two-mpms')
        if self.php:
            return os.path.join(CONFIGTEST, self.version, 'mod_php')
        if os.path.exists(os.path.join(conf, 'zz-broken.conf')):
            if argv[1] == '-t':
                return os.path.join(CONFIGTEST, self.version, 'broken')
            return os.path.join(DEBIAN, self.version, 'broken')
        if os.path.exists(os.path.join(conf, 'zz-thirdparty.conf')) and argv[1] == '-t':
            return os.path.join(CONFIGTEST, self.version, 'worker-only', enabled[0])
        return os.path.join(CONFIGTEST, self.version, enabled[0])

    def __call__(self, argv):
        self.calls.append(list(argv))
        return Replay(self.state(argv))(argv)


def find_debian_bin(name):
    return {'apache2': '/usr/sbin/apache2', 'apache2ctl': '/usr/sbin/apache2ctl'}.get(name)


def tree_digest(root):
    """``{relative path: ('link', target) | ('file', bytes)}`` of every entry under ``root``."""
    found = {}
    for base, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(base, name)
            rel = os.path.relpath(path, root)
            if os.path.islink(path):
                found[rel] = ('link', os.readlink(path))
            elif os.path.isfile(path):
                with open(path, 'rb') as handle:
                    found[rel] = ('file', handle.read(), os.stat(path).st_mode)
    return found


def run_module(main, capsys, check_mode=False, diff=False, **args):
    """Run a module's ``main()`` with ``args`` (in check mode, in diff mode) -> (exit code, the
    JSON it printed)."""
    import pytest  # pylint: disable=import-outside-toplevel
    if check_mode:
        args['_ansible_check_mode'] = True
    if diff:
        args['_ansible_diff'] = True
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exit_info:
            main()
    return exit_info.value.code, json.loads(capsys.readouterr().out)


@contextlib.contextmanager
def controller_code():
    """Import controller code (filters, plugin_utils, ansible.errors) inside this block.

    Importing controller code sets ansible.module_utils._internal.is_controller in
    ansible-core 2.19+, and from then on module_utils hand warnings to the controller's display
    instead of the module's result; the module tests of the same pytest process need it unset,
    so it is put back when the block ends.
    """
    try:
        from ansible.module_utils import _internal  # pylint: disable=import-outside-toplevel
    except ImportError:  # ansible-core before 2.19 has no such flag
        _internal = None
    before = getattr(_internal, 'is_controller', None)
    try:
        yield
    finally:
        if before is not None:
            _internal.is_controller = before
