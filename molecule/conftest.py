# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Loaded by pytest for every scenario's testinfra tests (molecule/*/tests), below the rootdir.

Commands on the host (``host.run``, and ``host.file``, ``host.service``, ``host.socket``, ...,
which are commands too) go straight through ``podman exec``. testinfra's ansible backend does
that for docker, ssh or local hosts, but not for Ansible's ``podman`` connection: for those it
starts ``ansible HOST -m shell`` for every command, a new Ansible process each time (seconds of
controller CPU, and a verify step makes hundreds of such commands). ``host.ansible(...)`` (the
modules under test) still runs through Ansible, on the scenario's inventory.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import testinfra
from testinfra.utils import ansible_runner

_ansible_get_host = ansible_runner.AnsibleRunner.get_host


def _get_host(self, host, **kwargs):
    """testinfra's podman backend (``podman exec NAME /bin/sh -c CMD``) for a podman host."""
    if self.get_variables(host).get('ansible_connection') == 'podman':
        return testinfra.get_host('podman://' + host)
    return _ansible_get_host(self, host, **kwargs)


ansible_runner.AnsibleRunner.get_host = _get_host
