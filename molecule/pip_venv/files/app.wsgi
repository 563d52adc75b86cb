# A small WSGI application of the pip_venv scenario: it says which venv it runs in, as which
# user, on which Python, and imports venv_marker, a module that only its own venv has.
import os
import sys

import mod_wsgi
import venv_marker


def application(environ, start_response):
    body = ('%s: prefix=%s marker=%s uid=%d mod_wsgi=%s python=%d.%d\n' % (
        mod_wsgi.process_group, sys.prefix, venv_marker.NAME, os.getuid(),
        '.'.join(str(part) for part in mod_wsgi.version), sys.version_info[0], sys.version_info[1])).encode('utf-8')
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
    return [body]
