"""What is measured: list latencies in process, and throughput against a gunicorn server."""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string

from bridgework.access.actions import do_create_api_token
from bridgework.access.signals import SIGNED_IN_AT
from bridgework.places.models import Place
from bridgework.web.pagination import keyset_page

from .measure import Load, Timings, check_get, generate_load, gunicorn_server, time_calls

__all__ = [
    "DeepPages",
    "JSON_TARGETS",
    "ListLatency",
    "ORG_API",
    "ORG_PAGE",
    "PAGE_SIZE",
    "PLACES_API",
    "PLACES_PAGE",
    "TARGETS",
    "Throughput",
    "inline_sql",
    "measure_deep_pages",
    "measure_html_page",
    "measure_list",
    "measure_throughput",
]

PAGE_SIZE = 50
ORDERING = ("path",)  # what the places list page and the API order by
PLACES_PAGE = "/places/index/"
PLACES_API = f"/api/places?limit={PAGE_SIZE}"
ORG_PAGE = "/organisations/"  # actors:organisation_list, ordered by name
ORG_API = f"/api/organisations?limit={PAGE_SIZE}"
HELLO = "/bench/hello"
TARGETS = {
    "hello": HELLO,
    "json": PLACES_API,
    "html": PLACES_PAGE,
    "org_json": ORG_API,
    "org_html": ORG_PAGE,
}
JSON_TARGETS = ("json", "org_json")  # the others are HTML pages (or hello-world)


def _page(user, after: str | None = None):
    """The places list page's query: scoped, keyset-paginated by path, 50 rows."""
    return keyset_page(
        Place.objects.visible_to(user, "view"), ordering=ORDERING, size=PAGE_SIZE, after=after
    )


def _statement(user, after: str | None = None) -> tuple[str, tuple]:
    """The one statement ``_page`` sends (the user's access is already cached), as sent."""
    sent: list[tuple[str, tuple]] = []

    def capture(execute, sql, params, many, context):
        sent.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    _page(user, after)  # load and cache the user's access first
    with connection.execute_wrapper(capture):
        _page(user, after)
    if len(sent) != 1:
        raise RuntimeError(f"expected one statement per page, saw {len(sent)}")
    return sent[0]


def _raw(sql: str, params: tuple):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def inline_sql(sql: str, params) -> str:
    """For the report only: the SQL with its parameters written in."""
    return sql % tuple(f"'{p}'" if isinstance(p, str) else str(p) for p in params)


@dataclass
class ListLatency:
    orm: Timings
    raw: Timings
    sql: str
    visible_rows: int

    @property
    def ratio(self) -> float:
        return self.orm.p50 / self.raw.p50


def measure_list(user, iterations: int) -> ListLatency:
    """First page through the ORM (``visible_to`` + ``keyset_page``) against the very statement
    it sends, run on ``connection.cursor()``."""
    sql, params = _statement(user)
    raw = _raw(sql, params)
    orm_ids = [place.pk for place in _page(user).items]
    if orm_ids != [row[0] for row in raw()][:PAGE_SIZE]:
        raise RuntimeError("the raw SQL does not return the ORM page's rows")
    timings = time_calls({"orm": lambda: _page(user), "raw": raw}, iterations)
    rows = Place.objects.visible_to(user, "view").count()
    return ListLatency(timings["orm"], timings["raw"], inline_sql(sql, params), rows)


@dataclass
class DeepPages:
    first: Timings
    deep: Timings
    first_raw: Timings
    deep_raw: Timings
    deep_page: int
    deep_sql: str
    visible_rows: int

    @property
    def ratio(self) -> float:
        return self.deep.p50 / self.first.p50

    @property
    def raw_ratio(self) -> float:
        return self.deep_raw.p50 / self.first_raw.p50


def measure_deep_pages(user, iterations: int, target_page: int = 200) -> DeepPages:
    """Walk the cursors to page ``target_page`` (or the last page), then time it against page 1,
    through the ORM and as the raw statements."""
    cursor, number = None, 1
    while number < target_page:
        page = _page(user, after=cursor)
        if not page.has_next:
            break
        cursor, number = page.next_cursor, number + 1
    first_sql, deep_sql = _statement(user), _statement(user, cursor)
    timings = time_calls(
        {
            "first": lambda: _page(user),
            "deep": lambda: _page(user, after=cursor),
            "first_raw": _raw(*first_sql),
            "deep_raw": _raw(*deep_sql),
        },
        iterations,
    )
    return DeepPages(
        **timings,
        deep_page=number,
        deep_sql=inline_sql(*deep_sql),
        visible_rows=Place.objects.visible_to(user, "view").count(),
    )


def measure_html_page(user, iterations: int) -> tuple[Timings, int]:
    """The whole places list page through Django's test client (no network, no server)."""
    client = Client()
    client.force_login(user)
    size = 0

    def get():
        nonlocal size
        response = client.get(PLACES_PAGE)
        if response.status_code != 200:
            raise RuntimeError(f"{PLACES_PAGE} answered {response.status_code}")
        size = len(response.content)

    return time_calls({"html": get}, iterations)["html"], size


# --- Throughput ----------------------------------------------------------------------------------


def session_cookie(user) -> str:
    """The cookies of a signed-in browser: a session made in process, as ``login()`` would
    leave it, and the CSRF cookie the sign-in form set. Without the second, every page would
    make a new CSRF secret and send it back in a cookie, which no signed-in browser asks for."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]  # the password backend
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[SIGNED_IN_AT] = int(timezone.now().timestamp())
    store.save()
    secret = get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS)
    return (
        f"{settings.SESSION_COOKIE_NAME}={store.session_key}; {settings.CSRF_COOKIE_NAME}={secret}"
    )


@dataclass
class Throughput:
    """One load run per URL per round; each round runs the URLs in a rotated order."""

    runs: dict[str, list[Load]]
    workers: int
    connections: int

    @property
    def rounds(self) -> int:
        return len(self.runs["hello"])

    @property
    def run_seconds(self) -> float:
        loads = [load for runs in self.runs.values() for load in runs]
        return sum(load.seconds for load in loads) / len(loads)

    def rps(self, name: str) -> float:
        loads = self.runs[name]
        return sum(load.requests for load in loads) / sum(load.seconds for load in loads)

    def errors(self, name: str) -> int:
        return sum(load.errors for load in self.runs[name])

    def round_share(self, name: str, index: int) -> float:
        return self.runs[name][index].rps / self.runs["hello"][index].rps

    def share(self, name: str) -> float:
        """Median over rounds of this URL's req/s over hello-world's in the same round, so a
        neighbour's burst of CPU use moves the ratio much less than a whole run."""
        return statistics.median(self.round_share(name, i) for i in range(self.rounds))


def _check(port: int, name: str, headers: dict[str, str], expected_rows: int) -> None:
    """One request before the load, so a 302 to the login page or a 401 is never benchmarked."""
    path = TARGETS[name]
    status, response_headers, body = check_get(port, path, headers)
    if status != 200:
        raise RuntimeError(f"GET {path} answered {status}, not 200")
    if name == "hello":
        if body != b"hello":
            raise RuntimeError(f"GET {path} did not answer 'hello'")
    elif name in JSON_TARGETS:
        if len(json.loads(body)["items"]) != expected_rows:
            raise RuntimeError(f"GET {path} did not list {expected_rows} rows")
    elif b"<table" not in body:
        raise RuntimeError(f"GET {path} has no table: {response_headers}")


def measure_throughput(
    user,
    *,
    visible_rows: dict[str, int],
    env: dict[str, str],
    cwd: Path,
    log_path: Path,
    seconds: float,
    rounds: int,
    connections: int,
    workers: int,
    use_wrk: bool,
) -> Throughput:
    """About ``seconds`` of load per URL, split into ``rounds`` runs (at least 1 s each).
    ``visible_rows``: how many rows each JSON target's user may see in all."""
    _token, secret = do_create_api_token(user=user, name="bench")
    auth = {"Authorization": f"Bearer {secret}"}
    cookie = {"Cookie": session_cookie(user)}
    headers = {name: auth if name in JSON_TARGETS else cookie for name in TARGETS} | {"hello": {}}
    connection.close()  # the server's workers open their own connections
    per_run = max(1.0, seconds / rounds)
    names = list(TARGETS)
    runs: dict[str, list[Load]] = {name: [] for name in names}
    with gunicorn_server(env=env, cwd=cwd, workers=workers, log_path=log_path) as port:

        def load(name: str, duration: float) -> Load:
            return generate_load(
                port,
                TARGETS[name],
                headers[name],
                seconds=duration,
                connections=connections,
                use_wrk=use_wrk,
            )

        for name in names:
            _check(port, name, headers[name], min(PAGE_SIZE, visible_rows.get(name, 0)))
            load(name, 1.0)  # warm-up: imports, templates, URL resolver, connections
        for index in range(rounds):
            shift = index % len(names)
            for name in names[shift:] + names[:shift]:
                runs[name].append(load(name, per_run))
            print(
                f"  round {index + 1}/{rounds}: "
                + ", ".join(f"{name} {runs[name][-1].rps:,.0f}" for name in names)
                + " req/s",
                flush=True,
            )
    return Throughput(runs, workers, connections)
