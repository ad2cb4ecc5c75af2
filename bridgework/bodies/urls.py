"""URLs of the bodies module: the generic pages per model and the module's own views."""

from django.urls import path

from . import views

__all__ = ["app_name", "urlpatterns"]

app_name = "bodies"

urlpatterns = [
    path("bodies/my-actions/", views.my_actions, name="my_actions"),
    path("bodies/overdue/", views.overdue_actions, name="overdue_actions"),
    path("bodies/my-calendar.ics", views.my_calendar, name="my_calendar"),
    path("bodies/<int:pk>/calendar.ics", views.body_calendar, name="body_calendar"),
    path(
        "bodies/meetings/<int:pk>/attendance/", views.meeting_attendance, name="meeting_attendance"
    ),
    path("bodies/meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting_minutes"),
    path("bodies/meetings/<int:pk>/decisions/", views.meeting_decision, name="meeting_decision"),
    path("bodies/actions/<int:pk>/progress/", views.action_progress, name="action_progress"),
    *views.SeatViewSet.urls(),
    *views.MeetingViewSet.urls(),
    *views.AttendanceViewSet.urls(),
    *views.DecisionViewSet.urls(),
    *views.ActionUpdateViewSet.urls(),
    *views.ActionItemViewSet.urls(),
    *views.BodyViewSet.urls(),
]
