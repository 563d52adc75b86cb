# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Make the host's probe secret, and the digest that the probe checks it against.

PRIVATE to the collection: this is not a public API and may change at any time.

:func:`ensure` keeps a secret that is there (it only tightens its mode and owner), makes a
random one where there is none, and writes its SHA-256 digest (``_probe.secret_digest``) to
the digest file. The secret is readable by the user that runs the module only (root: the
``probe`` module reads it as root); the digest is readable by all, because the probe runs as
the application's user and the digest does not give the secret away. The secret never leaves
this module: not in the result, not in the diff, not in a message.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import binascii
import os

from ansible_collections.modwsgi.apache.plugins.module_utils._probe import (
    ProbeError, check_secret, secret_digest)
from ansible_collections.modwsgi.apache.plugins.module_utils._transaction import (
    ABSENT, operation, read_meta, read_state, write_state)

SECRET_MODE = 0o600
DIGEST_MODE = 0o644
DIR_MODE = 0o755
# 32 random bytes, written as 64 hexadecimal digits.
SECRET_BYTES = 32
HIDDEN = '(the probe secret, not shown)\n'
NEW_DIGEST = '(the SHA-256 digest of the new secret)\n'


def new_secret():
    """A new random secret (text)."""
    return binascii.hexlify(os.urandom(SECRET_BYTES)).decode('ascii')


def _regular(path, state):
    if state[0] not in ('file', 'absent'):
        raise ProbeError('secret', '%s is not a regular file (it is a %s); nothing was changed.'
                         % (path, 'symlink' if state[0] == 'link' else 'directory or device'))


def _diff(op, hidden):
    """One diff entry. The secret is never changed once it is there, so only the content after
    can be the secret: ``hidden`` (when not ``None``) is shown in its place."""
    def show(state, meta, placeholder=None):
        if state == ABSENT:
            return ''
        if op['before'] == op['after']:
            return 'mode %04o\n' % meta[0] if meta else ''
        return placeholder or state[1].decode('ascii', 'replace')

    return {'before_header': op['path'], 'after_header': op['path'],
            'before': show(op['before'], op['before_meta']),
            'after': show(op['after'], op['meta'], hidden)}


def ensure(secret_file, digest_file, check_mode=False):
    """Make sure ``secret_file`` holds a secret and ``digest_file`` its digest.

    Returns ``{'changed', 'created', 'diff'}``. Raises ``_probe.ProbeError`` (kind
    ``secret``) when a path is not a regular file or the secret file holds no valid secret;
    nothing is changed then.
    """
    if os.path.abspath(secret_file) == os.path.abspath(digest_file):
        raise ProbeError('secret', 'digest_file: must not be the secret file (%s); nothing was '
                                   'changed.' % secret_file)
    owner = (os.getuid(), os.getgid())
    state = read_state(secret_file)
    _regular(secret_file, state)
    digest_state = read_state(digest_file)
    _regular(digest_file, digest_state)
    created = state == ABSENT
    if created:
        secret = new_secret()
        secret_after = ('file', (secret + '\n').encode('ascii'))
    else:
        secret = check_secret(state[1].decode('ascii', 'replace'), secret_file)
        secret_after = state
    digest_after = ('file', (secret_digest(secret) + '\n').encode('ascii'))
    ops = [op for op in (
        operation(secret_file, state, secret_after, meta=(SECRET_MODE,) + owner,
                  before_meta=read_meta(secret_file)),
        operation(digest_file, digest_state, digest_after, meta=(DIGEST_MODE,) + owner,
                  before_meta=read_meta(digest_file))) if op is not None]
    hidden = {secret_file: HIDDEN, digest_file: NEW_DIGEST if created and check_mode else None}
    diff = [_diff(op, hidden[op['path']]) for op in ops]
    if not check_mode:
        for op in ops:
            _make_parent(op['path'])
            write_state(op['path'], op['after'], op['meta'])
    return {'changed': bool(ops), 'created': created, 'diff': diff}


def pending(secret_file, digest_file):
    """Whether :func:`ensure` would change anything (read only): the secret or its digest is
    missing, or its mode, owner or content is not what ensure writes. A path ensure would
    refuse counts as pending, so that ensure runs and says why."""
    try:
        return ensure(secret_file, digest_file, check_mode=True)['changed']
    except (ProbeError, OSError, IOError):
        return True


def _make_parent(path):
    """Make the missing directories above ``path`` (mode 0755: the digest must be reachable
    by the applications' users); existing ones are left as they are."""
    directory = os.path.dirname(path)
    if directory and not os.path.isdir(directory):
        os.makedirs(directory, DIR_MODE)
        os.chmod(directory, DIR_MODE)
