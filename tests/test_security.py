"""Sign-in, sessions, headers, CSRF and error pages."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bridgework.access.signals import LAST_SEEN_AT, SIGNED_IN_AT
from bridgework.web.testing import covers

PASSWORD = "test-password-123"


def sign_in(client, user, password=PASSWORD):
    return client.post(reverse("login"), {"username": user.email, "password": password})


@covers("login", "logout")
def test_sign_in_rotates_the_session_and_sign_out_ends_it(client, tree):
    assert client.get(reverse("login")).status_code == 200
    before = client.session.session_key
    response = sign_in(client, tree.in_scope)
    assert response.status_code == 302
    assert client.session.session_key != before
    assert client.get(reverse("account")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("account")).status_code == 302


def test_email_is_matched_without_case(client, tree):
    response = client.post(
        reverse("login"), {"username": tree.in_scope.email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 302


def test_lockout_after_repeated_failures_then_cool_off(client, tree):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, tree.in_scope, "wrong-password").status_code == 200
    assert sign_in(client, tree.in_scope, "wrong-password").status_code == 429
    locked = sign_in(client, tree.in_scope)  # even the right password is refused now
    assert locked.status_code == 429
    assert b"Too many failed sign-in attempts" in locked.content
    assert b"Try again in 15 minutes" in locked.content
    # after the cool-off the account may try again: it was never permanently locked
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(minutes=1)
    )
    assert sign_in(client, tree.in_scope).status_code == 302


def test_one_accounts_typos_never_lock_out_another_from_the_same_address(client, tree):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, tree.in_scope, "wrong-password")
    assert sign_in(client, tree.in_scope).status_code == 429
    assert sign_in(Client(), tree.ancestor).status_code == 302  # same address, other account


def test_behind_the_proxy_the_address_is_the_one_the_proxy_saw(tree):
    from django.test import RequestFactory, override_settings

    from bridgework.access.middleware import client_address

    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7"
    )
    with override_settings(BEHIND_PROXY=False):
        assert client_address(request) == "10.0.0.2"  # a header anyone can send is ignored
    with override_settings(BEHIND_PROXY=True):
        assert client_address(request) == "203.0.113.7"  # not the spoofable first entry


def test_behind_the_proxy_the_lockout_counts_the_address_the_proxy_saw(tree):
    """End to end, with BEHIND_PROXY: failed sign-ins are recorded against the account and
    the client address the proxy appended to X-Forwarded-For — not the proxy's own address,
    not the first entry a client may forge. The account locks; another account signing in
    through the same proxy and from the same client address does not."""
    from django.test import override_settings

    proxy = {"REMOTE_ADDR": "10.0.0.2"}

    def through_proxy(user, password, *, client_says="6.6.6.6", seen="203.0.113.7"):
        return Client(**proxy).post(
            reverse("login"),
            {"username": user.email, "password": password},
            headers={"x-forwarded-for": f"{client_says}, {seen}"},
        )

    with override_settings(BEHIND_PROXY=True):
        for n in range(settings.AXES_FAILURE_LIMIT - 1):
            # A client forging a different first entry each time changes nothing.
            response = through_proxy(tree.in_scope, "wrong-password", client_says=f"6.6.6.{n}")
            assert response.status_code == 200
        attempts = AccessAttempt.objects.filter(username=tree.in_scope.email)
        assert set(attempts.values_list("ip_address", flat=True)) == {"203.0.113.7"}
        assert attempts.get().failures_since_start == settings.AXES_FAILURE_LIMIT - 1
        assert through_proxy(tree.in_scope, "wrong-password").status_code == 429
        assert through_proxy(tree.in_scope, PASSWORD).status_code == 429  # locked
        assert through_proxy(tree.ancestor, PASSWORD).status_code == 302  # not the address
    with override_settings(BEHIND_PROXY=False):
        # Without the setting the header is not trusted: the proxy's own address is recorded.
        Client(**proxy).post(
            reverse("login"),
            {"username": tree.ancestor.email, "password": "wrong-password"},
            headers={"x-forwarded-for": "6.6.6.6, 203.0.113.7"},
        )
        recorded = AccessAttempt.objects.get(username=tree.ancestor.email)
        assert recorded.ip_address == "10.0.0.2"


def _age_session(client, **seconds_ago):
    session = client.session
    now = int(timezone.now().timestamp())
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def test_idle_timeout_is_renewed_by_use_and_then_ends(client, tree):
    sign_in(client, tree.in_scope)
    _age_session(client, **{LAST_SEEN_AT: settings.SESSION_IDLE_SECONDS - 30})
    assert client.get(reverse("home")).status_code == 200
    assert int(timezone.now().timestamp()) - client.session[LAST_SEEN_AT] < 5  # renewed
    _age_session(client, **{LAST_SEEN_AT: settings.SESSION_IDLE_SECONDS + 5})
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_absolute_timeout_ends_an_active_session(client, tree):
    sign_in(client, tree.in_scope)
    session = client.session
    session[SIGNED_IN_AT] = int(timezone.now().timestamp()) - settings.SESSION_ABSOLUTE_SECONDS - 5
    session.save()
    response = client.get(reverse("account"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert client.get(reverse("account")).status_code == 302


def test_disabled_account_cannot_sign_in_or_use_tokens(client, tree):
    from bridgework.access.actions import do_create_api_token

    _token, secret = do_create_api_token(user=tree.in_scope, name="t")
    tree.in_scope.is_active = False
    tree.in_scope.save()
    assert sign_in(client, tree.in_scope).status_code == 200  # the form shows an error
    assert Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/me").status_code == 401


@pytest.mark.parametrize("path", ["/accounts/login/", "/", "/places/", "/account/", "/healthz"])
def test_every_response_has_a_strict_csp(client, tree, path):
    client.force_login(tree.in_scope)
    response = client.get(path)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"


def test_signed_in_pages_are_never_cached(client, tree):
    client.force_login(tree.in_scope)
    assert "no-store" in client.get(reverse("home")).headers["Cache-Control"]


def test_no_template_has_inline_script_or_event_handlers():
    # A script element must load a file; JSON data blocks are never executed.
    inline_script = re.compile(r"<script(?![^>]*\b(src=|type=\"application/json\"))[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=", re.I)
    templates = list(Path(settings.BASE_DIR).rglob("templates/**/*.html"))
    assert templates
    offenders = [
        str(path)
        for path in templates
        if inline_script.search(path.read_text()) or handler.search(path.read_text())
    ]
    assert not offenders


def test_forms_require_csrf(tree):
    client = Client(enforce_csrf_checks=True)
    client.force_login(tree.in_scope)
    response = client.post(reverse("token_create"), {"name": "no token"})
    assert response.status_code == 403


def _new_body(tree) -> str:
    import json

    return json.dumps(
        {
            "name": "CSRF test committee",
            "kind": "district_peace_committee",
            "level": "local",
            "place": tree.city.pk,
            "tlp": 1,
        }
    )


def test_session_api_writes_require_csrf_but_reads_do_not(tree):
    from django.middleware.csrf import get_token
    from django.test import RequestFactory

    from bridgework.bodies.models import Body

    client = Client(enforce_csrf_checks=True)
    client.force_login(tree.in_scope)
    assert client.get("/api/me").status_code == 200
    forged = client.post("/api/bodies", _new_body(tree), content_type="application/json")
    assert forged.status_code == 403
    assert not Body.objects.filter(name="CSRF test committee").exists()
    # The same write with the page's CSRF token (cookie + header, as htmx sends it) lands.
    token = get_token(RequestFactory().get("/"))
    client.cookies["csrftoken"] = token
    sent = client.post(
        "/api/bodies",
        _new_body(tree),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert sent.status_code == 201, sent.content
    assert Body.objects.filter(name="CSRF test committee").count() == 1


def test_token_api_writes_need_no_csrf(tree):
    from bridgework.access.actions import do_create_api_token
    from bridgework.bodies.models import Body

    _token, secret = do_create_api_token(user=tree.in_scope, name="script")
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {secret}"})
    response = client.post("/api/bodies", _new_body(tree), content_type="application/json")
    assert response.status_code == 201, response.content
    assert Body.objects.filter(name="CSRF test committee").count() == 1
    # A token does not lift CSRF from a browser session riding along with it.
    browser = Client(enforce_csrf_checks=True, headers={"Authorization": "Bearer bw_forged"})
    browser.force_login(tree.in_scope)
    forged = browser.post("/api/bodies", _new_body(tree), content_type="application/json")
    assert forged.status_code == 403


def test_server_errors_never_show_a_stack_trace(tree, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(tree.in_scope)

    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("bridgework.web.views.home_sections", explode)
    response = client.get(reverse("home"))
    assert response.status_code == 500
    assert b"secret internals" not in response.content
    assert b"Traceback" not in response.content
    assert b"Something went wrong" in response.content


def test_the_server_error_page_reads_neither_the_database_nor_the_user(rf):
    # No database fixture: pytest-django refuses any query this test would make.
    from django.utils.functional import SimpleLazyObject

    from bridgework.web.views import server_error

    def no_user():
        raise AssertionError("the 500 page looked at the signed-in user")

    request = rf.get("/places/")
    request.user = SimpleLazyObject(no_user)
    response = server_error(request)
    assert response.status_code == 500 and b"Something went wrong" in response.content


def test_api_errors_never_show_a_stack_trace(tree, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(tree.in_scope)

    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("bridgework.access.api.access_for", explode)
    response = client.get("/api/me")
    assert response.status_code == 500
    assert response.json() == {"detail": "Server error.", "errors": []}


def test_production_settings_pass_the_deploy_check(tmp_path):
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bridgework.settings",
        "SECRET_KEY": "x" * 20 + "-production-secret-with-enough-entropy-0123456789",
        "ALLOWED_HOSTS": "bridgework.example.org",
        "BRIDGEWORK_DATA_DIR": str(tmp_path),
        "DEBUG": "",
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests of this run
    result = subprocess.run(
        [sys.executable, "-m", "bridgework.manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- access logs name paths, never query strings (calendar tokens travel there) ----------------


ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bwcal_SECRET-token-in-the-query"


def _makefile_log_format() -> str:
    found = re.search(r"^ACCESS_LOG_FORMAT :=\s*(.+)$", (ROOT / "Makefile").read_text(), re.M)
    assert found, "the Makefile no longer defines ACCESS_LOG_FORMAT"
    return found.group(1).strip()


def test_the_access_log_format_leaves_out_query_strings():
    """The Makefile's gunicorn format (and the README's production command, which must be the
    same) logs the path ``%(U)s``: never the request line ``%(r)s``, the query ``%(q)s``, the
    referer ``%(f)s`` or any header or environ atom (RAW_URI, Referer carry the query)."""
    fmt = _makefile_log_format()
    readme = (ROOT / "README.md").read_text()
    assert f"--access-logformat '{fmt}'" in readme, "the README's gunicorn format differs"
    atoms = re.findall(r"%\((.*?)\)s", fmt)
    assert "U" in atoms
    assert not {"r", "q", "f"} & set(atoms), atoms
    assert not [a for a in atoms if a.startswith("{")], atoms


def test_gunicorn_renders_the_format_without_the_token():
    from datetime import timedelta as elapsed
    from types import SimpleNamespace

    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    config = Config()
    config.set("access_log_format", _makefile_log_format())
    logger = Logger(config)
    url = f"/bodies/my-calendar.ics?token={TOKEN}"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": url,
        "PATH_INFO": "/bodies/my-calendar.ics",
        "QUERY_STRING": f"token={TOKEN}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.7",
        "HTTP_REFERER": f"https://bridgework.example.org{url}",
    }
    response = SimpleNamespace(status="200 OK", sent=120, headers=[])
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    atoms = logger.atoms_wrapper_class(logger.atoms(response, request, environ, elapsed(0, 1)))
    line = config.access_log_format % atoms
    assert "/bodies/my-calendar.ics" in line and "203.0.113.7" in line
    assert TOKEN not in line and "token=" not in line


def test_the_readme_tells_the_proxy_to_log_paths_only():
    readme = (ROOT / "README.md").read_text()
    nginx = re.search(r"```nginx\n(.*?)```", readme, re.S)
    assert nginx, "the README shows no proxy log format"
    assert "$uri" in nginx.group(1)
    for leaky in (
        "$request ",
        '$request"',
        "$request_uri",
        "$args",
        "$query_string",
        "$http_referer",
    ):
        assert leaky not in nginx.group(1), leaky


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2_and_older_hashes_move_to_it():
    """The served settings (the test run hashes with MD5, for speed only)."""
    from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
    from django.test import override_settings

    from bridgework import settings as served
    from bridgework.access.factories import UserFactory

    passphrase = "a long passphrase for a test"
    with override_settings(PASSWORD_HASHERS=served.PASSWORD_HASHERS):
        user = UserFactory(label="hashed")
        user.set_password(passphrase)
        user.save()
        assert user.password.startswith("argon2$argon2id$")
        assert "$m=47104,t=1,p=1$" in user.password  # OWASP's 46 MiB setting (decision 0016)
        older = {
            "pbkdf2_sha256": make_password(passphrase, hasher="pbkdf2_sha256"),
            # Django's own Argon2 settings, which this platform used before
            "argon2, Django's settings": Argon2PasswordHasher().encode(passphrase, "saltsalt"),
        }
        for kind, encoded in older.items():
            user.password = encoded  # an older account
            user.save()
            assert user.check_password(passphrase), kind  # signs in, and is rehashed
            user.refresh_from_db()
            assert "$m=47104,t=1,p=1$" in user.password, kind
            assert user.check_password(passphrase), kind
            assert not user.check_password("not the passphrase"), kind
