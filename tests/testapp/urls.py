"""The test app's pages."""

from .views import DossierViewSet

app_name = "testapp"
urlpatterns = DossierViewSet.urls()
