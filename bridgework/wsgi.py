"""WSGI entry point for gunicorn: `gunicorn bridgework.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

from bridgework.core.collector import settle_for_serving

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridgework.settings")

application = get_wsgi_application()
settle_for_serving()  # once loaded: freeze what never dies, collect less often (decision 0014)
