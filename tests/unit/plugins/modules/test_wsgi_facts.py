"""modwsgi.apache.wsgi_facts through main(): validation, check mode, the facts it returns.

The gathering itself is replayed from a real Debian 12 capture (commands and /etc/apache2),
plus one hand-written daemon-mode site.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os

import pytest


from ansible_collections.modwsgi.apache.plugins.module_utils import _httpd_runs, _wsgi_facts
from ansible_collections.modwsgi.apache.plugins.modules import wsgi_facts
from ansible_collections.modwsgi.apache.tests.unit.helpers import (
    DEBIAN, Replay, debian_sysroot, run_module)

SITE = '''<VirtualHost *:80>
    ServerName shop.example
    WSGIDaemonProcess shop processes=2 threads=15
    WSGIScriptAlias / /srv/shop/app.wsgi process-group=shop
</VirtualHost>
'''


@pytest.fixture
def debian(tmp_path, monkeypatch):
    root = debian_sysroot(tmp_path, '12', 'event')
    with open(os.path.join(root, 'etc/apache2/sites-enabled/shop.conf'), 'w') as handle:
        handle.write(SITE)
    # The script the site mounts: resolve answers only for scripts that exist.
    os.makedirs(os.path.join(root, 'srv', 'shop'))
    open(os.path.join(root, 'srv', 'shop', 'app.wsgi'), 'w').close()
    replay = Replay(os.path.join(DEBIAN, '12', 'event'))

    # The /proc captured with the same fixture; the pid file where -S says, in the sysroot.
    proc_root = os.path.join(DEBIAN, '12', 'event', 'proc')
    os.makedirs(os.path.join(root, 'var', 'run', 'apache2'))
    with open(os.path.join(proc_root, 'apache2.pid')) as src:
        with open(os.path.join(root, 'var', 'run', 'apache2', 'apache2.pid'), 'w') as dst:
            dst.write(src.read())

    find_bin = {'apache2': '/usr/sbin/apache2', 'apache2ctl': '/usr/sbin/apache2ctl'}.get
    real_gather = _wsgi_facts.gather

    # The module starts httpd's runs itself, then imports _wsgi_facts.gather: both read the replay.
    def start(run, find_bin_, binary=None):
        return _httpd_runs.start(replay, find_bin, sysroot=root, binary=binary)

    def gather(run, find_bin_, binary=None, resolve=None, processes=False, started=None):
        return real_gather(replay, find_bin, sysroot=root, binary=binary, resolve=resolve,
                           processes=processes, proc_root=proc_root, started=started)
    monkeypatch.setattr(wsgi_facts, 'start', start)
    monkeypatch.setattr(_wsgi_facts, 'gather', gather)
    return replay


def run(capsys, check_mode=False, **args):
    return run_module(wsgi_facts.main, capsys, check_mode=check_mode, **args)


@pytest.mark.parametrize('check_mode', [True, False, True, False])
def test_facts(debian, capsys, check_mode):
    code, out = run(capsys, check_mode=check_mode, resolve=['http://shop.example/x'])
    assert code == 0 and out['changed'] is False
    facts = out['ansible_facts']['mod_wsgi']
    assert facts['loaded'] is True
    assert [m['mode'] for m in facts['mounts']] == ['daemon']
    resolved, = facts['resolved']
    assert (resolved['server'], resolved['process_group'], resolved['application_group']) == (
        'shop.example:80', 'shop', 'shop.example|')
    # Read-only: only the inspecting commands ran.
    assert set(call[1] for call in debian.calls) <= {'-V', '-v', '-l', '-S', '-M'}


def test_apache_facts_in_the_same_call(debian, capsys):
    code, out = run(capsys, apache_facts=True)
    assert code == 0 and out['changed'] is False
    apache = out['ansible_facts']['apache']
    assert apache['mpm']['name'] == 'event'
    assert apache['modules']['wsgi_module'] == 'shared'
    # Measured from /proc as mpm_facts does: the parent and its two children.
    assert apache['processes']['count'] == 3 and apache['processes']['pss_mb'] > 1
    assert [m['mode'] for m in out['ansible_facts']['mod_wsgi']['mounts']] == ['daemon']
    # One reading of Apache for both: each inspecting command ran once.
    argvs = [tuple(call) for call in debian.calls]
    assert len(argvs) == len(set(argvs))


def test_apache_facts_only_when_asked(debian, capsys):
    code, out = run(capsys)
    assert code == 0 and list(out['ansible_facts']) == ['mod_wsgi']


@pytest.mark.parametrize('url', ['ftp://shop.example/', 'shop.example/x', 'http:///x'])
def test_resolve_is_validated(debian, capsys, url):
    code, out = run(capsys, resolve=['http://ok.example/', url])
    assert code == 1 and out['failed'] is True
    assert out['msg'].startswith('resolve: ')
    assert repr(url) in out['msg']
    assert debian.calls == []


def test_binary_must_be_executable(debian, capsys, tmp_path):
    code, out = run(capsys, binary=str(tmp_path / 'nope'))
    assert code == 1 and 'binary:' in out['msg']


def test_an_unexpected_error_fails_cleanly(debian, capsys, monkeypatch):
    # The last resort: a bug in the analysis ends as a failure that says what happened, not a
    # traceback (every problem of a configuration is a finding: test_config_fuzz.py).
    def broken(*args, **kwargs):
        raise ValueError("invalid literal for int() with base 10: '8081>'")
    monkeypatch.setattr(_wsgi_facts, 'analyse', broken)
    code, out = run(capsys)
    assert code == 1 and out['failed'] is True
    assert out['msg'].startswith('Error while analysing the Apache configuration: ValueError: '
                                 "invalid literal for int() with base 10: '8081>'")
