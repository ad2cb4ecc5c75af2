"""URLs of the knowledge hub."""

from django.urls import path

from . import views

__all__ = ["app_name", "urlpatterns"]

app_name = "knowledge"

urlpatterns = [
    path("", views.search, name="search"),
    path("read/<int:pk>/", views.read_item, name="read"),
    path("recommendations/", views.recommendations, name="recommendations"),
    path("peers/", views.peers, name="peers"),
    path(
        "read/<int:pk>/files/<int:attachment_pk>/",
        views.download_attachment,
        name="attachment_download",
    ),
    path(
        "items/<int:pk>/files/<int:attachment_pk>/remove/",
        views.remove_attachment,
        name="attachment_remove",
    ),
    path("items/<int:pk>/revise/", views.revise_item, name="knowledgeitem_revise"),
    *views.KnowledgeItemViewSet.urls(),
]
