# The from_embedded scenario's api code, found through python-path.
def greet(server_name, group, prefix):
    return '%s says hello from %s on the Python in %s\n' % (server_name, group or '(embedded)', prefix)
