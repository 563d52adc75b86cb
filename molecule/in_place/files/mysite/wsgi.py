# The shape of Django's mysite/wsgi.py: it imports the project's package, which only the
# server-level WSGIPythonPath /srv/mysite makes importable.
import mod_wsgi

from mysite import settings


def application(environ, start_response):
    body = ('%s from %s\n' % (settings.GREETING, mod_wsgi.process_group or '(embedded)')).encode()
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
    return [body]
