# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The ansible-core version matrix (`make matrix`), with antsibull-nox.

ansible-core comes from PyPI (antsibull-nox's default is GitHub, out of reach here), and
ansible-test runs on this machine's Pythons (`--venv`): antsibull-nox's own sanity and unit
sessions use `--docker`, with images from a registry this project cannot reach.

- sanity, every test, on the oldest and the newest ansible-core claimed; on the versions in
  between, the files changed from the base branch (ANTSIBULL_CHANGE_DETECTION=true), and every
  test but pylint: pylint is three quarters of a sanity run's time, and its verdict depends on
  the pylint each ansible-test pins, which the oldest and the newest already span (`make
  sanity` alone runs it on 2.19 too; `make test` skips it there); what depends on the core version itself (ansible-doc, validate-modules,
  import, runtime-metadata, the boilerplate tests) still runs on each.
- units on the oldest ansible-core with the oldest target Python (3.6, RHEL 8's
  platform-python: ansible-test runs the module and module_utils tests there), and on the
  newest with its newest Python.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import glob
import os
import shutil
import subprocess

try:
    import antsibull_nox
except ImportError:
    print('You need to install antsibull-nox in the same Python environment as nox.')
    raise

antsibull_nox.load_antsibull_nox_toml()

HERE = os.path.dirname(os.path.abspath(__file__))
OLDEST, NEWEST = '2.16', '2.21'
MIDDLE = ('2.17', '2.18', '2.20')


ENVDIR = os.environ.get('MODWSGI_NOX_ENVDIR', os.path.join(HERE, '.nox'))


def _standin(name):
    """Before ansible-test runs: the get-pip stand-in for the pip version of the session's
    ansible-test (scripts/getpip_standin.sh), found in the session's virtualenv."""
    def callback():
        pythons = glob.glob(os.path.join(ENVDIR, name.replace('.', '?'), 'bin', 'python'))
        assert len(pythons) == 1, 'no single virtualenv for %s in %s' % (name, ENVDIR)
        subprocess.check_call([os.path.join(HERE, 'scripts', 'getpip_standin.sh'), pythons[0]])
    return callback


def _drop_tmp():
    """After ansible-test: antsibull-nox copies the copy's tests/output back into the checkout,
    and fails on the nested directories of tests/output/.tmp (ansible-test's scratch space,
    nothing to keep). The working directory is the copy's collection root."""
    shutil.rmtree(os.path.join('tests', 'output', '.tmp'), ignore_errors=True)


def sanity(version, python, changed):
    name = 'sanity-%s' % version
    skip = ['--skip-test', 'pylint'] if changed else []
    antsibull_nox.add_ansible_test_session(
        name=name,
        description='ansible-test sanity on ansible-core %s%s' % (
            version, ' (changed files, pylint skipped)' if changed else ''),
        ansible_test_params=['sanity', '--venv', '--requirements', '--python', python] + skip,
        default=False,
        ansible_core_version=version,
        ansible_core_source='pypi',
        callback_before=_standin(name),
        callback_after=_drop_tmp,
        support_cd=changed,
    )


def units(version, python):
    name = 'units-%s' % version
    antsibull_nox.add_ansible_test_session(
        name=name,
        description='ansible-test units on ansible-core %s, Python %s' % (version, python),
        ansible_test_params=['units', '--venv', '--requirements', '--python', python],
        default=False,
        ansible_core_version=version,
        ansible_core_source='pypi',
        callback_before=_standin(name),
        callback_after=_drop_tmp,
    )


sanity(OLDEST, '3.12', changed=False)
for _version in MIDDLE:
    sanity(_version, '3.12', changed=True)
sanity(NEWEST, '3.13', changed=False)
units(OLDEST, '3.6')
units(NEWEST, '3.13')
