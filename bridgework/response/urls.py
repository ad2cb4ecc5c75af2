"""URLs of the response module. Every page here answers ``Cache-Control: no-store``: a report
must not stay in a shared computer's cache or a proxy."""

from django.urls import URLPattern, path
from django.views.decorators.cache import never_cache

from . import views

__all__ = ["app_name", "urlpatterns"]

app_name = "response"


def _no_store(patterns: list[URLPattern]) -> list[URLPattern]:
    for pattern in patterns:
        pattern.callback = never_cache(pattern.callback)
    return patterns


urlpatterns = _no_store(
    [
        path("report/", views.public_report, name="public_report"),
        path("intake/", views.intake, name="intake"),
        path("tensions/picture/", views.tension_picture, name="tension_picture"),
        *views.ReportViewSet.urls(),
        *views.TensionAssessmentViewSet.urls(),
        *views.AlertRuleViewSet.urls(),
        *views.CrisisViewSet.urls(),
        *views.CrisisUpdateViewSet.urls(),
    ]
)
