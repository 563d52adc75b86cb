# A small WSGI application for the role_default scenario.
import mod_wsgi


def application(environ, start_response):
    body = ('alpha says hello from %s\n' % mod_wsgi.process_group).encode('utf-8')
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
    return [body]
