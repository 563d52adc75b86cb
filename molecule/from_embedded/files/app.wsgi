# A small WSGI application for the from_embedded scenario: says where it runs.
import mod_wsgi


def application(environ, start_response):
    where = mod_wsgi.process_group or '(embedded)'
    body = ('%s says hello from %s\n' % (environ['SERVER_NAME'], where)).encode('utf-8')
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
    return [body]
