# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters of the fleet audit report: modwsgi.apache.audit_report, modwsgi.apache.audit_summary
and modwsgi.apache.audit_merge.

Their documentation is in audit_report.yml, audit_summary.yml and audit_merge.yml next to this
file. The work is done by plugins/plugin_utils/_report.py, which checks every input against
docs/report.schema.json: what it rejects, or a controller without jsonschema, is an
AnsibleFilterError that names the path of the bad value (or the library to install).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.modwsgi.apache.plugins.plugin_utils._report import (
    MissingRequirement, merge, render, summary)


def audit_report(records, format='markdown', fail_on='none', generated=None):
    """The report of the host records, as Markdown, standalone HTML or JSON text."""
    try:
        return render(records, fmt=format, fail_on=fail_on, generated=generated)
    except (TypeError, ValueError, MissingRequirement) as exc:
        raise AnsibleFilterError('audit_report: %s' % exc)


def audit_summary(records, fail_on='none'):
    """The fleet summary of the host records, with the count of findings at or above fail_on."""
    try:
        return summary(records, fail_on=fail_on)
    except (TypeError, ValueError, MissingRequirement) as exc:
        raise AnsibleFilterError('audit_summary: %s' % exc)


def audit_merge(records, reports, order=None):
    """This run's host records and those of other runs' report.json, as one list of records."""
    try:
        return merge(records, reports, order=order)
    except (TypeError, ValueError, MissingRequirement) as exc:
        raise AnsibleFilterError('audit_merge: %s' % exc)


class FilterModule(object):
    def filters(self):
        return {
            'audit_merge': audit_merge,
            'audit_report': audit_report,
            'audit_summary': audit_summary,
        }
