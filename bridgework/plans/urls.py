"""URLs of the plans module: the generic pages per model and the module's own views."""

from django.urls import path

from . import views

__all__ = ["app_name", "urlpatterns"]

app_name = "plans"

urlpatterns = [
    path("", views.alignment, name="alignment"),
    path("matrix/", views.alignment_matrix, name="matrix"),
    path("report/", views.report_values, name="report"),
    path("approvals/", views.approvals, name="approvals"),
    path("strategies/<int:pk>/revise/", views.revise_strategy, name="strategy_revise"),
    *views.StrategyViewSet.urls(),
    *views.PillarViewSet.urls(),
    *views.ObjectiveViewSet.urls(),
    *views.IndicatorViewSet.urls(),
    *views.LocalPlanViewSet.urls(),
    *views.PlanPriorityViewSet.urls(),
    *views.PlanActionViewSet.urls(),
    *views.LocalNeedViewSet.urls(),
    *views.NeedSupportViewSet.urls(),
    *views.NeedReferralViewSet.urls(),
    *views.IndicatorValueViewSet.urls(),
    *views.ApprovalViewSet.urls(),
]
