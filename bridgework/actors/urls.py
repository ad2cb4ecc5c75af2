from django.urls import path

from . import views

__all__ = ["app_name", "urlpatterns"]

app_name = "actors"

urlpatterns = [
    path("actors/3w/", views.three_w, name="three_w"),
    path("actors/3w/export/", views.three_w_export, name="three_w_export"),
    path("actors/3w/sectors/", views.sector_matrix, name="sector_matrix"),
    path("actors/popolo.json", views.popolo_json, name="popolo"),
    path("actors/import/", views.import_upload, name="import_upload"),
    path("actors/import/confirm/", views.import_confirm, name="import_confirm"),
    path("actors/import/to-fix/", views.import_bad_rows, name="import_bad_rows"),
    *views.OrganisationViewSet.urls(),
    *views.PersonViewSet.urls(),
    *views.PostViewSet.urls(),
]
