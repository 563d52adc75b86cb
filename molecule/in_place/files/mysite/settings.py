# The project's settings module, imported by wsgi.py as mysite.settings.
GREETING = 'mysite settings loaded'
