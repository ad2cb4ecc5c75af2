"""The ninja API, assembling each app's router. Imported from the URLconf only."""

from bridgework.access.api import router as access_router
from bridgework.places.api import router as places_router
from bridgework.web.api import build_api

__all__ = ["api"]

api = build_api()
api.add_router("/", access_router)
api.add_router("/", places_router)
