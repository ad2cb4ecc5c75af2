from django.urls import path

from . import views

__all__ = ["app_name", "urlpatterns"]

app_name = "activity"

urlpatterns = [
    path("workflows/", views.workflow_list, name="workflow_list"),
    path("workflows/<str:name>/", views.workflow_detail, name="workflow_detail"),
]
