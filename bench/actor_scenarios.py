"""What is measured on the actors module: the organisation directory (page and API) and the 3W
roll-up (page and selector, against hand-written SQL), in process, for one user."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bridgework.access.actions import do_create_api_token
from bridgework.actors.models import Organisation, OrganisationArea, Theme
from bridgework.actors.selectors import OrgFilters, three_w
from bridgework.core.paths import ancestor_paths, subtree_bounds
from bridgework.core.scoping import scope_for
from bridgework.places.models import Place

from .measure import Timings, time_calls
from .scenarios import ORG_API, ORG_PAGE, PAGE_SIZE, PLACES_PAGE, inline_sql

__all__ = [
    "THREE_W_PAGE",
    "OrgLists",
    "PageTiming",
    "ThreeWLevel",
    "growth_calls",
    "measure_org_lists",
    "measure_three_w",
]

THREE_W_PAGE = "/actors/3w/"


@dataclass
class PageTiming:
    """One URL through Django's test client: latency, size and queries of one response."""

    path: str
    timings: Timings
    size: int
    queries: int


@dataclass
class OrgLists:
    html: PageTiming
    api: PageTiming
    visible_rows: int


def _getter(client: Client, path: str, check: Callable[[bytes], bool], **headers) -> Callable:
    """A call that GETs ``path`` and fails loudly on anything but a 200 that passes ``check``."""

    def get() -> bytes:
        response = client.get(path, headers=headers)
        if response.status_code != 200 or not check(response.content):
            raise RuntimeError(f"{path} answered {response.status_code} or unexpected content")
        return response.content

    return get


def _canonical(client: Client, path: str) -> str:
    """The address a page redirects ``path`` to (the 3W names its place by code, not by id),
    so that the timed requests are the page itself, not a redirect."""
    response = client.get(path)
    return response["Location"] if response.status_code == 302 else path


def _queries(call: Callable[[], object]) -> int:
    """Statements one call sends (the session, the user and their access included)."""
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def _timed_pages(gets: dict[str, tuple[str, Callable[[], bytes]]], iterations: int):
    """Time the calls interleaved; return a :class:`PageTiming` per name."""
    sizes = {name: len(get()) for name, (_path, get) in gets.items()}
    queries = {name: _queries(get) for name, (_path, get) in gets.items()}
    timings = time_calls({name: get for name, (_path, get) in gets.items()}, iterations)
    return {
        name: PageTiming(path, timings[name], sizes[name], queries[name])
        for name, (path, _get) in gets.items()
    }


def measure_org_lists(user, iterations: int) -> OrgLists:
    """The organisation directory's first page as HTML (session) and JSON (API token)."""
    rows = Organisation.objects.visible_to(user, "view").count()
    _token, secret = do_create_api_token(user=user, name="bench in process")
    html, api = Client(), Client()
    html.force_login(user)
    expected = min(PAGE_SIZE, rows)
    gets = {
        "html": (ORG_PAGE, _getter(html, ORG_PAGE, lambda body: b"<table" in body)),
        "api": (
            ORG_API,
            _getter(
                api,
                ORG_API,
                lambda body: body.count(b'"sector":') == expected,
                Authorization=f"Bearer {secret}",
            ),
        ),
    }
    pages = _timed_pages(gets, iterations)
    return OrgLists(pages["html"], pages["api"], rows)


def growth_calls(user, places: dict[str, Place]) -> dict[str, Callable[[], bytes]]:
    """The pages whose growth from one scale factor to another ``make bench`` reports, each a
    call for ``user`` on the database in use: the places list, the directory (page and API)
    and the 3W page of each of ``places``."""
    pages, api = Client(), Client()
    pages.force_login(user)
    _token, secret = do_create_api_token(user=user, name="bench growth")
    has_table = lambda body: b"<table" in body  # noqa: E731
    calls = {
        "Places list HTML page `/places/index/`": _getter(pages, PLACES_PAGE, has_table),
        "Organisation directory `/organisations/`": _getter(pages, ORG_PAGE, has_table),
        "Organisations API list `/api/organisations?limit=50`": _getter(
            api, ORG_API, lambda body: b'"sector":' in body, Authorization=f"Bearer {secret}"
        ),
    }
    for level, place in places.items():
        path = _canonical(pages, f"{THREE_W_PAGE}?place={place.pk}")
        calls[f"3W page, {level}"] = _getter(
            pages, path, lambda body: b'class="sector-counts"' in body
        )
    return calls


# --- the 3W roll-up ------------------------------------------------------------------------------


@dataclass
class ThreeWLevel:
    """The 3W below one place: the page, the selector, and the hand-written SQL of its answer."""

    level: str
    place: Place
    organisations: int  # distinct organisations working in the subtree, as the page says
    page: PageTiming
    selector: Timings
    raw: Timings
    selector_statements: int
    raw_sql: str  # the hand-written statements, their parameters written in
    raw_statements: int
    replayed: Timings | None = None  # the selector's own statements, run raw (country only)

    @property
    def ratio(self) -> float:
        return self.selector.p50 / self.raw.p50


def _visible_sql(user) -> tuple[str, list]:
    """The organisations (alias ``o``) ``user`` may see: their own subtrees up to their TLP
    ceiling, GREEN and below at the places above, as one would write it by hand."""
    scope = scope_for(user, "view", Organisation)
    visible, params = [], []
    for grant in scope.grants:
        visible.append("(o.place_path >= %s AND o.place_path < %s AND o.tlp <= %s)")
        params += [*subtree_bounds(grant.path), grant.ceiling]
    above = sorted({path for grant in scope.grants for path in ancestor_paths(grant.path)})
    if above and scope.ancestor_ceiling is not None:
        visible.append(f"(o.place_path IN ({', '.join(['%s'] * len(above))}) AND o.tlp <= %s)")
        params += [*above, scope.ancestor_ceiling]
    return f"({' OR '.join(visible) or '0'})", params


def whole_answer_sql(user, place: Place, overlap_limit: int = 50) -> list[tuple[str, list]]:
    """The whole 3W answer below ``place`` for ``user``, hand-written: organisations per sector,
    per sector × theme (theme names included), and the most crowded (place, theme) pairs with
    their names, ranked and cut in SQL. An organisation has one sector, works once at a place and
    has a theme once, so plain ``COUNT`` counts distinct organisations."""
    visible, visible_params = _visible_sql(user)
    bounds = list(subtree_bounds(place.path))
    t = {
        "area": OrganisationArea._meta.db_table,
        "org": Organisation._meta.db_table,
        "org_theme": Organisation.themes.through._meta.db_table,
        "theme": Theme._meta.db_table,
        "place": Place._meta.db_table,
    }
    # Table names come from the models and every value is a parameter.
    working = (
        f"o.id IN (SELECT organisation_id FROM {t['area']} "  # noqa: S608
        "WHERE place_path >= %s AND place_path < %s)"
    )
    by_sector = (
        f"SELECT o.sector, COUNT(*) FROM {t['org']} o "  # noqa: S608
        f"WHERE {working} AND {visible} GROUP BY o.sector"
    )
    by_theme = (
        f"SELECT o.sector, th.name, COUNT(*) FROM {t['org']} o "  # noqa: S608
        f"LEFT JOIN {t['org_theme']} ot ON ot.organisation_id = o.id "
        f"LEFT JOIN {t['theme']} th ON th.id = ot.theme_id "
        f"WHERE {working} AND {visible} GROUP BY o.sector, ot.theme_id, th.name"
    )
    crowded = (
        f"SELECT p.name, th.name, c.n FROM (SELECT a.place_id, ot.theme_id, COUNT(*) AS n "  # noqa: S608
        f"FROM {t['area']} a JOIN {t['org']} o ON o.id = a.organisation_id "
        f"JOIN {t['org_theme']} ot ON ot.organisation_id = o.id "
        f"WHERE a.place_path >= %s AND a.place_path < %s AND {visible} "
        "GROUP BY a.place_id, ot.theme_id HAVING COUNT(*) >= 2) c "
        f"JOIN {t['place']} p ON p.id = c.place_id JOIN {t['theme']} th ON th.id = c.theme_id "
        "ORDER BY c.n DESC, p.name, c.theme_id LIMIT %s"
    )
    return [
        (by_sector, [*bounds, *visible_params]),
        (by_theme, [*bounds, *visible_params]),
        (crowded, [*bounds, *visible_params, overlap_limit]),
    ]


def _raw_answer(results: list[list]) -> dict:
    """The hand-written results in the shape :func:`_selector_answer` gives."""
    by_sector, by_theme, crowded = results
    return {
        "total": sum(n for _sector, n in by_sector),
        "by_sector": dict(by_sector),
        "by_theme": {(sector, theme): n for sector, theme, n in by_theme},
        "overlaps": [tuple(row) for row in crowded],
    }


def _selector_answer(report) -> dict:
    names = [theme.name for theme in report.themes]
    by_theme = {}
    for sector, _label, counts, none in report.matrix:
        by_theme.update({(sector, name): n for name, n in zip(names, counts, strict=True) if n})
        if none:
            by_theme[(sector, None)] = none
    return {
        "total": report.total,
        "by_sector": {value: n for value, _label, n in report.sector_counts if n},
        "by_theme": by_theme,
        "overlaps": [(o["place"], o["theme"], o["count"]) for o in report.overlaps],
    }


def _run(sql: str, params) -> Callable[[], list]:
    def run() -> list:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def _statements(call: Callable[[], object]) -> list[tuple[str, tuple]]:
    """The statements ``call`` sends, as sent."""
    sent: list[tuple[str, tuple]] = []

    def capture(execute, sql, params, many, context):
        sent.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        call()
    return sent


def _replay(statements: Sequence[tuple[str, Sequence]]) -> Callable[[], None]:
    runs = [_run(sql, params) for sql, params in statements]

    def replay() -> None:
        for run in runs:
            run()

    return replay


def _three_w_level(user, client: Client, level: str, place: Place, iterations: int) -> ThreeWLevel:
    """Check the hand-written SQL against the selector, then time page, selector and SQL (and,
    at the country, the selector's own statements replayed raw), interleaved."""
    filters = OrgFilters(place=place)
    report = three_w(user, filters)  # also loads and caches the user's access
    written = whole_answer_sql(user, place)
    raw = _replay(written)
    if _raw_answer([_run(sql, params)() for sql, params in written]) != _selector_answer(report):
        raise RuntimeError(f"the hand-written SQL does not give the 3W of {place} alike")
    path = _canonical(client, f"{THREE_W_PAGE}?place={place.pk}")
    page = _getter(client, path, lambda body: b'class="sector-counts"' in body)
    calls: dict[str, Callable[[], object]] = {
        "page": page,
        "selector": lambda: three_w(user, filters),
        "raw": raw,
    }
    statements = _statements(calls["selector"])
    if level == "country":
        calls["replayed"] = _replay(statements)
    size, queries = len(page()), _queries(page)
    timings = time_calls(calls, iterations)
    return ThreeWLevel(
        level,
        place,
        report.total,
        PageTiming(path, timings.pop("page"), size, queries),
        timings.pop("selector"),
        timings.pop("raw"),
        len(statements),
        ";\n\n".join(inline_sql(sql, params) for sql, params in written),
        len(written),
        **timings,
    )


def measure_three_w(user, places: dict[str, Place], iterations: int) -> list[ThreeWLevel]:
    """The 3W of each place (country, region, city): page, selector and hand-written SQL."""
    client = Client()
    client.force_login(user)
    return [
        _three_w_level(user, client, level, place, iterations) for level, place in places.items()
    ]
