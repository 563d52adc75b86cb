# Imported by beta.wsgi through python-path.
TEXT = 'beta says hello'
