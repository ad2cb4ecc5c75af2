"""The ninja API, assembling every module's ``api.router``. Imported from the URLconf only."""

from bridgework.core.modules import module_parts
from bridgework.web.api import build_api

__all__ = ["api"]

api = build_api()
for _config, _part in module_parts("api"):
    if hasattr(_part, "router"):  # web.api is the base the routers build on, not a router
        api.add_router("/", _part.router)
