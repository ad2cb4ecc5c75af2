"""Pages that belong to no domain module: home, account and tokens, pickers, sign-in."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import search, views

__all__ = ["urlpatterns"]

urlpatterns = [
    path("", views.home, name="home"),
    path("home/steps/hide/", views.hide_start_steps, name="hide_start_steps"),
    path("healthz", views.healthz, name="healthz"),
    path("pick/", views.record_pick, name="record_pick"),
    path("search/", search.search_page, name="search"),
    path("account/", views.account, name="account"),
    path("account/tokens/", views.token_create, name="token_create"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(
            html_email_template_name=None,
            email_template_name="registration/password_reset_email.html",
        ),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
