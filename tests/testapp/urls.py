"""The project's URLconf plus the test app's pages and API routes."""

from django.urls import include, path

from bridgework.urls import handler500  # noqa: F401
from bridgework.urls import urlpatterns as project_urlpatterns

from .views import DossierViewSet

urlpatterns = [
    *project_urlpatterns,
    path("", include((DossierViewSet.urls(), "testapp"))),
]
