"""WSGI entry point: `application` for serve.py, or for any WSGI server (gunicorn, uWSGI, mod_wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inventory_project.settings")
application = get_wsgi_application()
