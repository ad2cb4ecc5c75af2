"""URLs of the funding module: the generic pages per model and the role views."""

from django.urls import path

from . import views

__all__ = ["app_name", "urlpatterns"]

app_name = "funding"

urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("open-calls/", views.open_calls, name="open_calls"),
    path("queue/", views.queue, name="queue"),
    path("workload/", views.workload, name="workload"),
    path("pipeline/", views.pipeline, name="pipeline"),
    path("money/", views.money, name="money"),
    path("grants/360giving.<str:fmt>", views.grants_360, name="grants_360"),
    *views.FundViewSet.urls(),
    *views.CallViewSet.urls(),
    *views.ApplicationViewSet.urls(),
    *views.ReviewViewSet.urls(),
    *views.GrantViewSet.urls(),
    *views.TrancheViewSet.urls(),
    *views.ReportViewSet.urls(),
    *views.GrantIndicatorViewSet.urls(),
    *views.ResultViewSet.urls(),
]
