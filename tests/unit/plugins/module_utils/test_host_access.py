"""The runner every module reaches the host with: argv lists in the C locale, failures as
run_command reports them. The commands run are this Python itself, so nothing is replayed."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import sys

import pytest

from ansible_collections.modwsgi.apache.plugins.module_utils import _host_access


class _Module:
    """What run() uses of an AnsibleModule: fail_json exits."""

    def fail_json(self, **kwargs):
        self.failed = kwargs
        raise SystemExit(1)


def test_run_runs_in_the_c_locale_without_a_shell(monkeypatch):
    monkeypatch.setenv('LANG', 'fr_FR.UTF-8')
    code = ('import os, sys; print(os.environ["LANG"], os.environ["LC_ALL"], sys.argv[1]); '
            'sys.stderr.flush(); os.write(2, b"caf\\xc3\\xa9"); sys.exit(3)')
    # UTF-8 bytes on stderr (Python 3.6 in the C locale would escape a str written there).
    rc, out, err = _host_access.run(_Module(), [sys.executable, '-c', code, '$HOME;*'])
    assert (rc, out, err) == (3, 'C C $HOME;*\n', u'caf\u00e9')


def test_run_fails_like_run_command(tmp_path):
    module = _Module()
    with pytest.raises(SystemExit):
        _host_access.run(module, [str(tmp_path / 'nope'), '-v'])
    assert module.failed['msg'] == 'Error executing command.'
    with pytest.raises(SystemExit):
        _host_access.run(module, [sys.executable, '-c', 'import sys; sys.exit("bad")'], check_rc=True)
    assert (module.failed['rc'], module.failed['msg']) == (1, 'bad')


class _Params(_Module):
    """What host_access uses of an AnsibleModule: params, get_bin_path, fail_json."""

    def __init__(self, binary):
        self.params = {'binary': binary}

    def get_bin_path(self, name, opt_dirs=None):
        return (name, opt_dirs)


def test_host_access_refuses_a_binary_that_is_not_executable(tmp_path):
    binary = tmp_path / 'httpd'
    binary.write_text(u'')
    module = _Params(str(binary))
    with pytest.raises(SystemExit):
        _host_access.host_access(module)
    assert module.failed['msg'] == 'binary: %s is not an executable file' % binary


def test_host_access_looks_in_the_sbin_directories_too():
    run, find_bin, binary = _host_access.host_access(_Params(sys.executable))
    assert binary == sys.executable
    name, dirs = find_bin('apache2ctl')
    assert name == 'apache2ctl' and '/usr/sbin' in dirs
    assert run([sys.executable, '-c', 'print("ok")']) == (0, 'ok\n', '')
