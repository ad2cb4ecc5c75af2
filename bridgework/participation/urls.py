"""URLs of the participation module: public pages, residents' writes and the staff pages."""

from django.urls import path

from . import views

__all__ = ["app_name", "urlpatterns"]

app_name = "participation"

urlpatterns = [
    path("", views.public_index, name="public_index"),
    path("places/<int:pk>/", views.public_place, name="public_place"),
    path("p/<int:pk>/", views.public_proposal, name="public_proposal"),
    path("p/<int:pk>/photo/", views.photo, name="photo"),
    path("p/<int:pk>/support/", views.support, name="support"),
    path("p/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("p/<int:pk>/comment/", views.comment, name="comment"),
    path("p/<int:pk>/report/", views.report, name="report"),
    path("places/<int:pk>/town-halls.ics", views.place_ics, name="place_ics"),
    path("t/<int:pk>/", views.public_townhall, name="public_townhall"),
    path("t/<int:pk>/register/", views.register, name="register"),
    path("t/<int:pk>/calendar.ics", views.townhall_ics, name="townhall_ics"),
    path("propose/", views.propose, name="propose"),
    path("places/<int:pk>/join/", views.join, name="join"),
    path("verify/<str:token>/", views.verify, name="verify"),
    path("me/", views.my_data, name="my_data"),
    path("me/data.json", views.my_data_download, name="my_data_download"),
    path("me/close/", views.close_account, name="close_account"),
    path("follow-up/", views.followup, name="followup"),
    path("moderation/", views.moderation, name="moderation"),
    *views.ProposalViewSet.urls(),
    *views.SupportThresholdViewSet.urls(),
    *views.TownHallViewSet.urls(),
]
