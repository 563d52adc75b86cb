# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The filters modwsgi.apache.in_place_files and in_place_plan; documented in the .yml files
next to this one.

The work is done by plugins/plugin_utils/_inplace.py and _takeover.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64

from ansible.errors import AnsibleFilterError

from ansible_collections.modwsgi.apache.plugins.plugin_utils import _inplace
from ansible_collections.modwsgi.apache.plugins.plugin_utils._takeover import refusals


def in_place_files(facts, apps, ours):
    """The files the in-place conversion reads (see _inplace.files_to_read)."""
    try:
        return _inplace.files_to_read(facts, apps, ours)
    except (KeyError, TypeError) as exc:
        raise AnsibleFilterError('in_place_files: %s' % exc)


def _sources(stats, modes, texts):
    """``{path: {content, real, mode, owner, group}}`` from the results of the loops of stat (the
    link), stat following it (the file's own mode and owner) and slurp."""
    sources = {}
    for stat, mode, text in zip(stats, modes, texts):
        info = mode['stat']
        try:
            content = base64.b64decode(text['content']).decode('utf-8')
        except UnicodeDecodeError:
            raise _inplace.InPlaceError(['%s: is not UTF-8 text; in_place only edits text files' % stat['item']])
        sources[stat['item']] = {'content': content, 'real': stat['stat'].get('lnk_source') or stat['item'],
                                 'mode': info['mode'], 'owner': info['pw_name'], 'group': info['gr_name']}
    return sources


def in_place_plan(facts, apps, stats, modes, texts, takeover, ours, probe_url, probe_dir, probe=True,
                  backup_dir='/var/backups/modwsgi'):
    """Every refusal of the existing sites, and the new text of the sites converted in place."""
    try:
        errors = refusals(takeover, backup_dir)
        try:
            result = _inplace.plan(facts, apps, _sources(stats, modes, texts), ours, probe_url, probe_dir, probe)
        except _inplace.InPlaceError as exc:
            result = {'files': [], 'apps': {}}
            errors.extend(exc.errors)
    except (KeyError, TypeError) as exc:
        raise AnsibleFilterError('in_place_plan: %s' % exc)
    result['errors'] = errors
    return result


class FilterModule(object):
    def filters(self):
        return {'in_place_files': in_place_files, 'in_place_plan': in_place_plan}
