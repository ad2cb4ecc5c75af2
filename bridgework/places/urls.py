from django.urls import path

from . import views

app_name = "places"

urlpatterns = [
    path("places/", views.browse, name="browse"),
    path("places/boundaries/import/", views.boundary_import, name="boundary_import"),
    path("network/<slug:slug>/", views.network_detail, name="network_detail"),
    path("hubs/<slug:slug>/", views.hub_detail, name="hub_detail"),
    *views.PlaceViewSet.urls(),
    *views.NetworkMembershipViewSet.urls(),
]
