"""The probe secret and its digest: _probe_secret.ensure on a temporary directory.

The digest's agreement with the probe script itself is tested in test_probe.py (the script
reads a digest made here and answers the module's request)."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import os
import stat

import pytest

from ansible_collections.modwsgi.apache.plugins.module_utils import _probe, _probe_secret


def paths(tmp_path):
    etc = tmp_path / 'etc' / 'modwsgi'
    return str(etc / 'probe.secret'), str(etc / 'probe.digest')


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def read(path):
    with open(path) as handle:
        return handle.read()


def test_creates_secret_and_digest(tmp_path):
    secret_file, digest_file = paths(tmp_path)
    result = _probe_secret.ensure(secret_file, digest_file)
    assert (result['changed'], result['created']) == (True, True)
    secret = _probe.read_secret(secret_file)
    assert len(secret) == 64 and int(secret, 16) >= 0
    assert read(digest_file) == _probe.secret_digest(secret) + '\n'
    assert (mode(secret_file), mode(digest_file), mode(os.path.dirname(secret_file))) == (0o600, 0o644, 0o755)
    assert os.stat(secret_file).st_uid == os.getuid()
    # The secret is nowhere in what the module returns, diff included.
    assert secret not in json.dumps(result)
    assert [d['after'] for d in result['diff']] == [_probe_secret.HIDDEN, _probe.secret_digest(secret) + '\n']


def test_second_run_changes_nothing(tmp_path):
    secret_file, digest_file = paths(tmp_path)
    _probe_secret.ensure(secret_file, digest_file)
    before = read(secret_file), read(digest_file)
    for check_mode in (True, False):
        result = _probe_secret.ensure(secret_file, digest_file, check_mode=check_mode)
        assert result == {'changed': False, 'created': False, 'diff': []}
    assert (read(secret_file), read(digest_file)) == before


def test_check_mode_touches_nothing(tmp_path):
    secret_file, digest_file = paths(tmp_path)
    result = _probe_secret.ensure(secret_file, digest_file, check_mode=True)
    assert (result['changed'], result['created']) == (True, True)
    assert not os.path.exists(os.path.dirname(secret_file))
    assert result['diff'] == [
        {'before_header': secret_file, 'after_header': secret_file, 'before': '',
         'after': _probe_secret.HIDDEN},
        {'before_header': digest_file, 'after_header': digest_file, 'before': '',
         'after': _probe_secret.NEW_DIGEST}]


def test_keeps_a_secret_made_by_hand(tmp_path):
    """openssl rand -hex 32 > probe.secret, with a umask that left it readable: the secret is
    kept, its mode tightened, the missing digest written."""
    secret_file, digest_file = paths(tmp_path)
    os.makedirs(os.path.dirname(secret_file))
    secret = 'a1b2c3d4' * 8
    with open(secret_file, 'w') as handle:
        handle.write(secret + '\n')
    os.chmod(secret_file, 0o644)
    result = _probe_secret.ensure(secret_file, digest_file, check_mode=True)
    assert (result['changed'], result['created']) == (True, False)
    assert result['diff'][0]['before'] == 'mode 0644\n' and result['diff'][0]['after'] == 'mode 0600\n'
    assert result['diff'][1]['after'] == _probe.secret_digest(secret) + '\n'   # known: not a placeholder
    assert mode(secret_file) == 0o644 and not os.path.exists(digest_file)
    result = _probe_secret.ensure(secret_file, digest_file)
    assert result['changed'] and not result['created']
    assert read(secret_file) == secret + '\n' and mode(secret_file) == 0o600
    assert read(digest_file) == _probe.secret_digest(secret) + '\n'


def test_rewrites_a_stale_digest(tmp_path):
    secret_file, digest_file = paths(tmp_path)
    _probe_secret.ensure(secret_file, digest_file)
    with open(digest_file, 'w') as handle:
        handle.write('0' * 64 + '\n')
    result = _probe_secret.ensure(secret_file, digest_file)
    assert result['changed'] and [d['before_header'] for d in result['diff']] == [digest_file]
    assert read(digest_file) == _probe.secret_digest(_probe.read_secret(secret_file)) + '\n'


@pytest.mark.parametrize('content', ['', 'short\n', 'two words and more than thirty-two characters\n'])
def test_refuses_a_secret_file_that_holds_no_secret(tmp_path, content):
    secret_file, digest_file = paths(tmp_path)
    os.makedirs(os.path.dirname(secret_file))
    with open(secret_file, 'w') as handle:
        handle.write(content)
    with pytest.raises(_probe.ProbeError) as info:
        _probe_secret.ensure(secret_file, digest_file)
    assert str(info.value).startswith('secret_file: %s does not hold a probe secret' % secret_file)
    assert read(secret_file) == content and not os.path.exists(digest_file)


@pytest.mark.parametrize('which', ['secret', 'digest'])
def test_refuses_a_symlink(tmp_path, which):
    secret_file, digest_file = paths(tmp_path)
    os.makedirs(os.path.dirname(secret_file))
    target = str(tmp_path / 'elsewhere')
    os.symlink(target, secret_file if which == 'secret' else digest_file)
    with pytest.raises(_probe.ProbeError) as info:
        _probe_secret.ensure(secret_file, digest_file)
    assert 'is not a regular file (it is a symlink); nothing was changed' in str(info.value)
    assert not os.path.exists(target)
    assert os.listdir(os.path.dirname(secret_file)) == [os.path.basename(secret_file if which == 'secret' else digest_file)]


def test_refuses_the_same_file_for_both(tmp_path):
    secret_file = paths(tmp_path)[0]
    with pytest.raises(_probe.ProbeError) as info:
        _probe_secret.ensure(secret_file, secret_file)
    assert str(info.value).startswith('digest_file: must not be the secret file')


def test_new_secrets_differ():
    assert len({_probe_secret.new_secret() for dummy in range(8)}) == 8


def test_pending_says_whether_ensure_would_change_and_changes_nothing(tmp_path):
    secret_file, digest_file = paths(tmp_path)
    assert _probe_secret.pending(secret_file, digest_file) is True
    assert not os.path.exists(os.path.dirname(secret_file))
    _probe_secret.ensure(secret_file, digest_file)
    assert _probe_secret.pending(secret_file, digest_file) is False
    with open(digest_file, 'w') as handle:
        handle.write('0' * 64 + '\n')
    assert _probe_secret.pending(secret_file, digest_file) is True
    assert read(digest_file) == '0' * 64 + '\n'


def test_pending_is_true_where_ensure_would_refuse(tmp_path):
    secret_file, digest_file = paths(tmp_path)
    os.makedirs(os.path.dirname(secret_file))
    with open(secret_file, 'w') as handle:
        handle.write('short\n')
    assert _probe_secret.pending(secret_file, digest_file) is True
