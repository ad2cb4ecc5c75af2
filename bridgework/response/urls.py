"""URLs of the response module. Every page here answers ``Cache-Control: no-store``: a report
must not stay in a shared computer's cache or a proxy."""

from django.urls import URLPattern, path
from django.views.decorators.cache import never_cache

from . import views
from .otp import require_second_factor

__all__ = ["app_name", "urlpatterns"]

app_name = "response"


def _no_store(patterns: list[URLPattern]) -> list[URLPattern]:
    for pattern in patterns:
        pattern.callback = never_cache(pattern.callback)
    return patterns


def _second_factor(patterns: list[URLPattern]) -> list[URLPattern]:
    """Pages that show response records ask whoever may read AMBER ones for a second factor."""
    for pattern in patterns:
        pattern.callback = require_second_factor(pattern.callback)
    return patterns


# Open to all: the public form, and the pages that set up and check the second factor.
OPEN = [
    path("report/", views.public_report, name="public_report"),
    path("two-factor/enrol/", views.otp_enrol, name="otp_enrol"),
    path("two-factor/enrol/qr.svg", views.otp_qr, name="otp_qr"),
    path("two-factor/", views.otp_verify, name="otp_verify"),
]

urlpatterns = _no_store(
    [
        *OPEN,
        *_second_factor(
            [
                path("intake/", views.intake, name="intake"),
                path("tensions/picture/", views.tension_picture, name="tension_picture"),
                *views.ReportViewSet.urls(),
                *views.TensionAssessmentViewSet.urls(),
                *views.AlertRuleViewSet.urls(),
                *views.CrisisViewSet.urls(),
                *views.CrisisUpdateViewSet.urls(),
            ]
        ),
    ]
)
