"""Root URLconf: the API, language switching, and every module's ``urls.py``.

Modules are found by :func:`bridgework.core.modules.modules`; a new module's pages appear
here without an edit.
"""

import os

from django.urls import URLPattern, URLResolver, include, path

from bridgework.core.modules import modules
from bridgework.web import views as web_views

from .api import api

handler400 = "bridgework.web.views.bad_request"
handler500 = "bridgework.web.views.server_error"

urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
]
# Modules under a prefix of their own first: a path outside one is refused by a single test of
# the prefix, while a module mounted at the root has each of its routes tried in turn (about
# 120 before a funding page was reached). No route of a root module starts with another
# module's prefix (tests/test_modules.py), so the order changes no answer.
for module in sorted(modules(), key=lambda module: not module.url_prefix):
    if module.part("urls") is not None:
        urlpatterns.append(path(module.url_prefix, include(f"{module.name}.urls")))

if os.environ.get("BRIDGEWORK_BENCH") == "1":
    # The benchmark's ceiling: a bare view on the same server. Never mounted otherwise.
    urlpatterns.append(path("bench/hello", web_views.hello, name="bench_hello"))
