# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What every module uses to reach the host: run a command in the C locale, find a binary.

PRIVATE to the collection: this is not a public API and may change at any time.

:func:`host_access` binds :func:`run` and ``get_bin_path`` to an ``AnsibleModule``; the
gatherers take what it returns as plain callables, so the unit tests can replay captured
output instead.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess

from ansible_collections.modwsgi.apache.plugins.module_utils._constants import BIN_DIRS

C_LOCALE = {'LANG': 'C', 'LC_ALL': 'C', 'LC_MESSAGES': 'C'}


def run(module, argv, check_rc=False):
    """Run ``argv`` (a list, no shell) in the C locale and return ``(rc, stdout, stderr)``.

    Not ``module.run_command``: that one always hands Popen a ``preexec_fn`` (for its
    ``umask`` option), and a ``preexec_fn`` makes CPython fork the whole module process
    instead of spawning with vfork (CPython 3.10+, ``_posixsubprocess``): about 4 ms more per
    command on the bench host, for each httpd run. What else run_command adds (a shell,
    stdin data, prompts, ``~`` and ``$VAR`` expansion in the argv) is not used here; the
    environment, the decoding, and the failure on a command that cannot be run are its own.
    Popen restores SIGPIPE for the child itself (``restore_signals``).
    """
    env = dict(os.environ)
    env.update(C_LOCALE)
    try:
        # Deliberately not run_command (see above): ansible-core 2.21's pylint says to call it.
        process = subprocess.Popen(  # pylint: disable=ansible-bad-function
            argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        stdout, stderr = process.communicate()
    except OSError as exc:
        module.fail_json(rc=exc.errno, stdout='', stderr='', msg='Error executing command.',
                         cmd=' '.join(argv))
    stdout = stdout.decode('utf-8', 'surrogateescape')
    stderr = stderr.decode('utf-8', 'surrogateescape')
    if process.returncode != 0 and check_rc:
        module.fail_json(cmd=' '.join(argv), rc=process.returncode, stdout=stdout, stderr=stderr,
                         msg=stderr.rstrip())
    return process.returncode, stdout, stderr


def host_access(module):
    """``(run, find_bin, binary)`` for the gatherers, bound to an ``AnsibleModule``.

    ``run`` runs a list argv in the C locale; ``find_bin`` looks in ``PATH`` and the layouts'
    sbin directories; ``binary`` is the module's ``binary`` option, refused when it is not an
    executable file.
    """
    binary = module.params.get('binary')
    if binary and not os.access(binary, os.X_OK):
        module.fail_json(msg='binary: %s is not an executable file' % binary)
    return (lambda argv: run(module, argv),
            lambda name: module.get_bin_path(name, opt_dirs=BIN_DIRS),
            binary)
