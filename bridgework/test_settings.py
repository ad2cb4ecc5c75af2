"""Settings for the test run: the production settings with a few small overrides."""

from .settings import *  # noqa: F403
from .settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# A TLP-labelled model used to test the scoping machinery itself (tests/testapp); a module
# like any other, so its pages and API routes are found the same way.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]  # noqa: F405

# Every URL a test requests is remembered, so the meta-test can tell which were never requested.
MIDDLEWARE = [*MIDDLEWARE, "bridgework.web.testing.registry.RecordRequestedUrls"]  # noqa: F405

# Tasks go to the database backend whatever TASK_BACKEND says, so CI runs it on SQLite and on
# PostgreSQL; tests that want a task run at once use bridgework.notifications.testing.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# The response module asks for a TOTP second factor before its pages answer (RESPONSE_REQUIRE_OTP);
# the generated tests sign in without one. tests/test_response_otp.py turns it back on.
RESPONSE_REQUIRE_OTP = False

# Every widget, label and error list a test renders is written both ways (Python and Django's
# templates) and must come out the same (tests/form_rendering.py).
FORM_RENDERER = "tests.form_rendering.CheckedFormRenderer"
