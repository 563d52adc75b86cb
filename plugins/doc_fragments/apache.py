# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Options of the modules that find and read Apache on the managed host."""

    DOCUMENTATION = r'''
options:
  binary:
    description:
      - Path of the Apache binary, for builds in places the module does not search.
      - By default the binary is looked up for the detected layout (Debian, RedHat, SUSE or a
        source build) in C(PATH), C(/usr/sbin) and C(/usr/local/apache2/bin).
    type: path
'''
