"""Root URLconf."""

import os

from django.contrib.auth import views as auth_views
from django.urls import include, path

from bridgework.web import views as web_views

from .api import api

handler500 = "bridgework.web.views.server_error"

urlpatterns = [
    path("", web_views.home, name="home"),
    path("healthz", web_views.healthz, name="healthz"),
    path("pick/", web_views.record_pick, name="record_pick"),
    path("account/", web_views.account, name="account"),
    path("account/tokens/", web_views.token_create, name="token_create"),
    path("account/tokens/<int:pk>/revoke/", web_views.token_revoke, name="token_revoke"),
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
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("", include("bridgework.places.urls")),
    path("", include("bridgework.access.urls")),
    path("", include("bridgework.actors.urls")),
    path("", include("bridgework.bodies.urls")),
]

if os.environ.get("BRIDGEWORK_BENCH") == "1":
    # The benchmark's ceiling: a bare view on the same server. Never mounted otherwise.
    urlpatterns.append(path("bench/hello", web_views.hello, name="bench_hello"))
