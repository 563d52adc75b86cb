"""_mpm_switch: plans per layout, the guards, the config test and the byte-exact rollback.

Debian runs on copies of the real captured /etc/apache2 trees, with every command answered
by the capture of the state the tree is in (helpers.DebianHost). RedHat and SUSE run on
trees made of the real public fixtures (el9/00-mpm.conf, the SLES sysconfig lines).
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import shutil

import pytest

from ansible_collections.modwsgi.apache.plugins.module_utils import _mpm_switch
from ansible_collections.modwsgi.apache.plugins.module_utils import _transaction
from ansible_collections.modwsgi.apache.plugins.module_utils._mpm_switch import SwitchError
from ansible_collections.modwsgi.apache.tests.unit.helpers import (
    PUBLIC, DebianHost, debian_sysroot, find_debian_bin, tree_digest)

VERSIONS = ('12', '13')
MPMS = ('prefork', 'worker', 'event')
ENABLED = 'etc/apache2/mods-enabled'


def mpm_links(root):
    enabled = os.path.join(root, ENABLED)
    return dict((name, os.readlink(os.path.join(enabled, name)))
                for name in sorted(os.listdir(enabled)) if name.startswith('mpm_'))


def a2enmod_links(mpm):
    return {'mpm_%s.conf' % mpm: '../mods-available/mpm_%s.conf' % mpm,
            'mpm_%s.load' % mpm: '../mods-available/mpm_%s.load' % mpm}


def switch(host, root, target, **kwargs):
    return _mpm_switch.switch(host, find_debian_bin, target, sysroot=root,
                              proc_root=os.path.join(root, 'proc'), **kwargs)


# -- Debian -------------------------------------------------------------------------------------

@pytest.mark.parametrize('version', VERSIONS)
@pytest.mark.parametrize('start', MPMS)
@pytest.mark.parametrize('target', MPMS)
def test_debian_switch_check_real_check_real(tmp_path, version, start, target):
    root = debian_sysroot(tmp_path, version, start)
    host = DebianHost(version, root)
    expected_change = start != target
    for check_mode, changed in ((True, expected_change), (False, expected_change),
                                (True, False), (False, False)):
        before = tree_digest(root)
        result = switch(host, root, target, check_mode=check_mode)
        assert result['changed'] is changed
        assert result['current'] == target
        assert result['restart_required'] is changed
        if check_mode:
            assert tree_digest(root) == before
        if changed:
            assert result['previous'] == start
            assert sorted(result['changed_files']) == sorted(
                '/%s/mpm_%s.%s' % (ENABLED, mpm, ext)
                for mpm in (start, target) for ext in ('load', 'conf'))
        else:
            assert result['changed_files'] == []
    assert mpm_links(root) == a2enmod_links(target)
    # -t ran before and after the real change, and never in a run that changed nothing.
    assert host.calls.count(['/usr/sbin/apache2ctl', '-t']) == (3 if expected_change else 0)


def test_debian_diff(tmp_path):
    root = debian_sysroot(tmp_path, '12', 'event')
    result = switch(DebianHost('12', root), root, 'prefork', check_mode=True)
    assert result['diff'][0] == {'before_header': 'MPM', 'after_header': 'MPM',
                                 'before': 'event\n', 'after': 'prefork\n'}
    assert result['diff'][1:] == [
        {'before_header': '/etc/apache2/mods-enabled/mpm_prefork.load (absent)',
         'after_header': '/etc/apache2/mods-enabled/mpm_prefork.load (symlink)',
         'before': '', 'after': 'symlink to ../mods-available/mpm_prefork.load\n'},
        {'before_header': '/etc/apache2/mods-enabled/mpm_prefork.conf (absent)',
         'after_header': '/etc/apache2/mods-enabled/mpm_prefork.conf (symlink)',
         'before': '', 'after': 'symlink to ../mods-available/mpm_prefork.conf\n'},
        {'before_header': '/etc/apache2/mods-enabled/mpm_event.load (symlink)',
         'after_header': '/etc/apache2/mods-enabled/mpm_event.load (absent)',
         'before': 'symlink to ../mods-available/mpm_event.load\n', 'after': ''},
        {'before_header': '/etc/apache2/mods-enabled/mpm_event.conf (symlink)',
         'after_header': '/etc/apache2/mods-enabled/mpm_event.conf (absent)',
         'before': 'symlink to ../mods-available/mpm_event.conf\n', 'after': ''},
    ]


@pytest.mark.parametrize('version', VERSIONS)
@pytest.mark.parametrize('target', ('prefork', 'event'))
def test_debian_interrupted_switch_converges(tmp_path, version, target):
    """Both event and prefork enabled (AH00534): the next run leaves only the target."""
    root = debian_sysroot(tmp_path, version, 'event')
    for ext in ('load', 'conf'):
        os.symlink('../mods-available/mpm_prefork.%s' % ext,
                   os.path.join(root, ENABLED, 'mpm_prefork.%s' % ext))
    host = DebianHost(version, root)
    result = switch(host, root, target)
    assert result['changed'] is True
    assert result['previous'] == 'event'     # the first MPM the config loads (-M fails: AH00534)
    other = 'event' if target == 'prefork' else 'prefork'
    assert sorted(result['changed_files']) == ['/%s/mpm_%s.%s' % (ENABLED, other, ext)
                                               for ext in ('conf', 'load')]
    assert mpm_links(root) == a2enmod_links(target)
    assert switch(host, root, target)['changed'] is False


@pytest.mark.parametrize('target', ('worker', 'event'))
def test_debian_threaded_refused_with_mod_php(tmp_path, target):
    root = debian_sysroot(tmp_path, '12', 'prefork')
    host = DebianHost('12', root, php=True)
    before = tree_digest(root)
    for check_mode in (True, False):
        with pytest.raises(SwitchError) as error:
            switch(host, root, target, check_mode=check_mode)
        assert error.value.msg.startswith(
            'name: refusing to switch to the threaded %s MPM while php_module is loaded '
            '(php_module: mod_php is not thread-safe' % target)
        assert 'mod_wsgi daemon mode' in error.value.msg
        assert 'prefork' in error.value.msg and 'force=true' in error.value.msg
        assert error.value.result['previous'] == 'prefork'
        assert tree_digest(root) == before
    assert ['/usr/sbin/apache2ctl', '-t'] not in host.calls


def test_debian_force_with_mod_php_warns(tmp_path):
    root = debian_sysroot(tmp_path, '12', 'prefork')
    result = switch(DebianHost('12', root, php=True), root, 'event', force=True, check_mode=True)
    assert result['changed'] is True
    warning, = result['warnings']
    assert 'php_module' in warning and 'not thread-safe' in warning


def test_debian_prefork_with_mod_php_is_fine(tmp_path):
    root = debian_sysroot(tmp_path, '12', 'prefork')
    result = switch(DebianHost('12', root, php=True), root, 'prefork')
    assert (result['changed'], result['warnings']) == (False, [])


@pytest.mark.parametrize('version', VERSIONS)
def test_debian_rollback_when_apache_rejects_the_new_mpm(tmp_path, version):
    """A third-party conf valid under prefork but not under worker: every file is restored."""
    root = debian_sysroot(tmp_path, version, 'prefork')
    shutil.copy(os.path.join(_mpm_configtest(version), 'worker-only', 'zz-thirdparty.conf'),
                os.path.join(root, 'etc/apache2/conf-enabled/zz-thirdparty.conf'))
    host = DebianHost(version, root)
    before = tree_digest(root)
    assert switch(host, root, 'worker', check_mode=True)['changed'] is True
    with pytest.raises(SwitchError) as error:
        switch(host, root, 'worker')
    assert error.value.msg == (
        "name: Apache rejects its configuration with the worker MPM, so every file was "
        "restored as it was. Apache says: AH00526: Syntax error on line 2 of "
        "/etc/apache2/conf-enabled/zz-thirdparty.conf:\nInvalid command 'ThisIsNotADirective', "
        "perhaps misspelled or defined by a module not included in the server configuration")
    assert tree_digest(root) == before
    assert host.calls.count(['/usr/sbin/apache2ctl', '-t']) == 3   # check, before, after
    assert switch(host, root, 'prefork')['changed'] is False


@pytest.mark.parametrize('check_mode', (True, False))
def test_debian_already_broken_is_refused(tmp_path, check_mode):
    root = debian_sysroot(tmp_path, '12', 'event')
    with open(os.path.join(root, 'etc/apache2/conf-enabled/zz-broken.conf'), 'w') as handle:
        handle.write('ThisIsNotADirective on\n')
    before = tree_digest(root)
    with pytest.raises(SwitchError) as error:
        switch(DebianHost('12', root), root, 'prefork', check_mode=check_mode)
    assert error.value.msg.startswith(
        "name: Apache's configuration is already broken, so the MPM was not switched and "
        "nothing was changed; fix it first. Apache says: AH00526: Syntax error on line 1 of "
        "/etc/apache2/conf-enabled/zz-broken.conf:")
    assert tree_digest(root) == before


def test_debian_real_file_is_not_touched(tmp_path):
    root = debian_sysroot(tmp_path, '12', 'event')
    os.unlink(os.path.join(root, ENABLED, 'mpm_event.load'))
    shutil.copy(os.path.join(root, 'etc/apache2/mods-available/mpm_event.load'),
                os.path.join(root, ENABLED, 'mpm_event.load'))
    with pytest.raises(SwitchError) as error:
        _mpm_switch.plan_debian('prefork', root)
    assert 'mpm_event.load is not a symlink' in error.value.msg


def test_debian_missing_mpm(tmp_path):
    root = debian_sysroot(tmp_path, '12', 'event')
    os.unlink(os.path.join(root, 'etc/apache2/mods-available/mpm_worker.load'))
    with pytest.raises(SwitchError) as error:
        _mpm_switch.plan_debian('worker', root)
    assert 'mods-available/mpm_worker.load does not exist' in error.value.msg


def test_bad_name(tmp_path):
    with pytest.raises(SwitchError) as error:
        _mpm_switch.switch(None, None, 'itk', sysroot=str(tmp_path))
    assert error.value.msg.startswith("name: 'itk' is not an MPM")


def test_no_apache(tmp_path):
    with pytest.raises(SwitchError) as error:
        _mpm_switch.switch(None, lambda name: None, 'event', sysroot=str(tmp_path))
    assert 'Apache is not installed' in error.value.msg


def _mpm_configtest(version):
    from ansible_collections.modwsgi.apache.tests.unit.helpers import CONFIGTEST
    return os.path.join(CONFIGTEST, version)


# -- RedHat ---------------------------------------------------------------------------------

# A minimal stand-in for /etc/httpd/conf/httpd.conf: not the file EL ships (no verbatim copy
# was found, see fixtures/public/README.md), only the Include that loads 00-mpm.conf.
HTTPD_CONF = 'ServerRoot "/etc/httpd"\nInclude conf.modules.d/*.conf\n'
EL9_MPM = os.path.join(PUBLIC, 'el9', '00-mpm.conf')


def redhat_tree(tmp_path, source=EL9_MPM):
    root = str(tmp_path / 'el9')
    os.makedirs(os.path.join(root, 'etc/httpd/conf'))
    os.makedirs(os.path.join(root, 'etc/httpd/conf.modules.d'))
    os.makedirs(os.path.join(root, 'etc/httpd/modules'))
    with open(os.path.join(root, 'etc/httpd/conf/httpd.conf'), 'w') as handle:
        handle.write(HTTPD_CONF)
    shutil.copy(source, os.path.join(root, 'etc/httpd/conf.modules.d/00-mpm.conf'))
    for mpm in MPMS:   # empty stand-ins: only their presence is checked
        open(os.path.join(root, 'etc/httpd/modules/mod_mpm_%s.so' % mpm), 'w').close()
    return root


def read_bytes(root, path):
    with open(os.path.join(root, path.lstrip('/')), 'rb') as handle:
        return handle.read()


def active(text):
    return [line for line in text.splitlines() if line.startswith('LoadModule')]


@pytest.mark.parametrize('target', MPMS)
def test_redhat_one_active_line_everything_else_kept(tmp_path, target):
    root = redhat_tree(tmp_path)
    original = read_bytes(root, _mpm_switch.REDHAT_MPM_CONF)
    ops = _mpm_switch.plan('redhat', target, root)
    if target == 'event':
        assert ops == []
        return
    _transaction.commit(ops, sysroot=root)
    after = read_bytes(root, _mpm_switch.REDHAT_MPM_CONF).decode()
    assert active(after) == ['LoadModule mpm_%s_module modules/mod_mpm_%s.so' % (target, target)]
    # Only the two LoadModule lines differ; comments and blank lines are kept byte for byte.
    changed = [(a, b) for a, b in zip(original.decode().splitlines(True), after.splitlines(True))
               if a != b]
    assert sorted(changed) == sorted([
        ('#LoadModule mpm_%s_module modules/mod_mpm_%s.so\n' % (target, target),
         'LoadModule mpm_%s_module modules/mod_mpm_%s.so\n' % (target, target)),
        ('LoadModule mpm_event_module modules/mod_mpm_event.so\n',
         '#LoadModule mpm_event_module modules/mod_mpm_event.so\n')])
    assert len(after) == len(original) and after.count('\n') == original.count(b'\n')
    assert _mpm_switch.plan('redhat', target, root) == []
    # Back to event gives the original file, byte for byte.
    _transaction.commit(_mpm_switch.plan('redhat', 'event', root), sysroot=root)
    assert read_bytes(root, _mpm_switch.REDHAT_MPM_CONF) == original


def test_redhat_user_modified_el8_without_trailing_newline(tmp_path):
    root = redhat_tree(tmp_path, os.path.join(PUBLIC, 'el8', '00-mpm.conf.user-modified-prefork'))
    original = read_bytes(root, _mpm_switch.REDHAT_MPM_CONF)
    assert not original.endswith(b'\n')
    assert _mpm_switch.plan('redhat', 'prefork', root) == []
    _transaction.commit(_mpm_switch.plan('redhat', 'event', root), sysroot=root)
    after = read_bytes(root, _mpm_switch.REDHAT_MPM_CONF).decode()
    assert active(after) == ['LoadModule mpm_event_module modules/mod_mpm_event.so']
    assert not after.endswith('\n')
    _transaction.commit(_mpm_switch.plan('redhat', 'prefork', root), sysroot=root)
    assert read_bytes(root, _mpm_switch.REDHAT_MPM_CONF) == original


def test_redhat_two_active_lines_converge(tmp_path):
    root = redhat_tree(tmp_path)
    path = os.path.join(root, _mpm_switch.REDHAT_MPM_CONF.lstrip('/'))
    text = read_bytes(root, _mpm_switch.REDHAT_MPM_CONF).decode()
    with open(path, 'w') as handle:   # an interrupted hand edit: prefork and event active
        handle.write(text.replace('#LoadModule mpm_prefork', 'LoadModule mpm_prefork'))
    _transaction.commit(_mpm_switch.plan('redhat', 'event', root), sysroot=root)
    assert read_bytes(root, _mpm_switch.REDHAT_MPM_CONF).decode() == text


def test_redhat_missing_module_file(tmp_path):
    root = redhat_tree(tmp_path)
    os.unlink(os.path.join(root, 'etc/httpd/modules/mod_mpm_worker.so'))
    with pytest.raises(SwitchError) as error:
        _mpm_switch.plan('redhat', 'worker', root)
    assert error.value.msg == ('name: cannot load the worker MPM: /etc/httpd/modules/'
                               'mod_mpm_worker.so does not exist (on EL it ships with the '
                               'httpd-core or httpd package)')


def test_redhat_diff_and_restore(tmp_path):
    root = redhat_tree(tmp_path)
    path = os.path.join(root, _mpm_switch.REDHAT_MPM_CONF.lstrip('/'))
    os.chmod(path, 0o640)
    before = tree_digest(root)
    ops = _mpm_switch.plan('redhat', 'prefork', root)
    seen = []

    def test():
        seen.append((oct(os.stat(path).st_mode & 0o777), tree_digest(root) != before))
        return False, 'AH00526: (an answer that makes the transaction roll back)'
    with pytest.raises(_transaction.TransactionError) as error:
        _transaction.commit(ops, test, root)
    assert seen == [(oct(0o640), True)]   # mode kept by the rewrite, which did change the tree
    assert error.value.left == []
    assert tree_digest(root) == before
    diff = _mpm_switch.diff('event', 'prefork', ops)
    assert diff[0]['before'] == 'event\n' and diff[0]['after'] == 'prefork\n'
    assert diff[1]['before_header'] == '/etc/httpd/conf.modules.d/00-mpm.conf (file)'
    assert '\nLoadModule mpm_event_module' in diff[1]['before']
    assert '\n#LoadModule mpm_event_module' in diff[1]['after']


# -- SUSE -----------------------------------------------------------------------------------

SLES_SYSCONFIG = os.path.join(PUBLIC, 'suse15', 'sles12sp5-sysconfig-apache2.noncomment.txt')


def suse_tree(tmp_path, binaries=('prefork', 'worker')):
    """The SLES 12 SP5 host of the public fixture: APACHE_MPM="worker", prefork and worker
    installed (sles12sp5-rpm-mpm-packages.txt); the binaries are empty stand-ins."""
    root = str(tmp_path / 'sles')
    os.makedirs(os.path.join(root, 'etc/sysconfig'))
    os.makedirs(os.path.join(root, 'usr/sbin'))
    shutil.copy(SLES_SYSCONFIG, os.path.join(root, 'etc/sysconfig/apache2'))
    for mpm in binaries:
        open(os.path.join(root, 'usr/sbin/httpd-%s' % mpm), 'w').close()
    return root


def test_suse_sets_apache_mpm_in_place(tmp_path):
    root = suse_tree(tmp_path)
    original = read_bytes(root, _mpm_switch.SUSE_SYSCONFIG)
    assert _mpm_switch.plan('suse', 'worker', root) == []
    ops = _mpm_switch.plan('suse', 'prefork', root)
    assert [op['path'] for op in ops] == ['/etc/sysconfig/apache2']
    _transaction.commit(ops, sysroot=root)
    after = read_bytes(root, _mpm_switch.SUSE_SYSCONFIG)
    assert after == original.replace(b'APACHE_MPM="worker"', b'APACHE_MPM="prefork"')
    assert _mpm_switch.plan('suse', 'prefork', root) == []


def test_suse_missing_binary_names_the_package(tmp_path):
    root = suse_tree(tmp_path)
    with pytest.raises(SwitchError) as error:
        _mpm_switch.plan('suse', 'event', root)
    assert error.value.msg == ('name: the event MPM is not installed: /usr/sbin/httpd-event is '
                               'missing; install the package apache2-event')


def test_suse_appends_when_unset(tmp_path):
    root = suse_tree(tmp_path)
    path = os.path.join(root, 'etc/sysconfig/apache2')
    lines = [line for line in read_bytes(root, _mpm_switch.SUSE_SYSCONFIG).splitlines(True)
             if not line.startswith(b'APACHE_MPM=')]
    with open(path, 'wb') as handle:
        handle.write(b''.join(lines))
    _transaction.commit(_mpm_switch.plan('suse', 'prefork', root), sysroot=root)
    assert read_bytes(root, _mpm_switch.SUSE_SYSCONFIG) == b''.join(lines) + b'APACHE_MPM="prefork"\n'


def test_source_layout_is_refused():
    with pytest.raises(SwitchError) as error:
        _mpm_switch.plan('source', 'event')
    assert 'not supported' in error.value.msg
