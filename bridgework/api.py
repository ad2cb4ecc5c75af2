"""The ninja API, assembling each app's router. Imported from the URLconf only."""

from django.conf import settings
from django.utils.module_loading import import_string

from bridgework.access.api import router as access_router
from bridgework.actors.api import router as actors_router
from bridgework.bodies.api import router as bodies_router
from bridgework.places.api import router as places_router
from bridgework.web.api import build_api

__all__ = ["api"]

api = build_api()
api.add_router("/", access_router)
api.add_router("/", places_router)
api.add_router("/", actors_router)
api.add_router("/", bodies_router)
# Extra routers named in settings (the test suite's own test app uses this).
for dotted in getattr(settings, "BRIDGEWORK_EXTRA_API_ROUTERS", ()):
    api.add_router("/", import_string(dotted))
