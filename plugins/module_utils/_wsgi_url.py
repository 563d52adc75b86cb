# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.apache contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The URLs given to ``wsgi_facts``'s ``resolve``, and httpd's ``host:port`` words.

PRIVATE to the collection: this is not a public API and may change at any time.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re


def port_number(text):
    """The port ``text`` names, as an int, or None when it is not a number from 1 to 65535
    (httpd refuses such a port: "Invalid address or port")."""
    text = str(text)
    if not text or text.strip('0123456789'):
        return None
    number = int(text)
    return number if 0 < number < 65536 else None


def split_hostport(text, default_port=None):
    """``www.example.com:8080`` / ``https://h`` / ``[::1]:80`` -> ``(host, port or default)``."""
    scheme = None
    if '://' in text:
        scheme, text = text.split('://', 1)
    text = text.rstrip('/')
    port = default_port
    if text.startswith('['):
        host, rest = text[1:].partition(']')[::2]
        if rest.startswith(':'):
            port = rest[1:]
    elif text.count(':') == 1:
        host, port = text.split(':', 1)
    else:
        host = text
    if port in (None, '') and scheme:
        port = '443' if scheme == 'https' else '80'
    return host, port


def parse_url(url):
    """Split a URL given to ``resolve``: ``(scheme, host, port, path)``.

    Raises ``ValueError`` with a message that says what is wrong.
    """
    if not url or not hasattr(url, 'strip'):
        raise ValueError('%r is not a URL' % (url,))
    if any(c.isspace() for c in url):
        raise ValueError('%r contains whitespace' % url)
    match = re.match(r'^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<netloc>[^/?#]*)(?P<path>[^?#]*)',
                     url)
    if not match:
        raise ValueError('%r is not an absolute URL (http://host/path)' % url)
    scheme = match.group('scheme').lower()
    if scheme not in ('http', 'https'):
        raise ValueError('%r: the scheme must be http or https, not %s' % (url, scheme))
    netloc = match.group('netloc').rpartition('@')[2]
    host, port = split_hostport(netloc, '443' if scheme == 'https' else '80')
    if not host:
        raise ValueError('%r has no host' % url)
    number = port_number(port)
    if number is None:
        raise ValueError('%r has an invalid port %r' % (url, port))
    return scheme, host.lower(), number, match.group('path') or '/'
