from django.urls import path

from . import views

app_name = "access"

urlpatterns = [
    *views.RoleAssignmentViewSet.urls(),
    path("access/users/<int:pk>/", views.user_detail, name="user_detail"),
    path("access/users/<int:pk>/deactivate/", views.deactivate_user, name="user_deactivate"),
]
