"""The results table and the Markdown report (``docs/benchmarks.md``)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from .actor_scenarios import OrgLists, PageTiming, ThreeWLevel
from .generate import Dataset
from .measure import Timings
from .scenarios import PLACES_PAGE, TARGETS, DeepPages, ListLatency, Throughput

__all__ = ["Results", "render_report", "render_table"]

# Targets from ../shared/design/QUALITY.md, "Performance".
DEEP_PAGE_MAX = 2.0
SHARE_MIN = {"json": 0.15, "html": 0.10, "org_json": 0.15, "org_html": 0.10}
ROLLUP_MAX_RATIO = 1.5
GROWTH_MAX = 1.3  # issue 7: a page's p95 at SF10 ÷ at SF1
ROLLUP_P95_MAX_MS = 50.0
LABELS = {
    "hello": "Hello-world view",
    "json": "Places JSON list (API token)",
    "html": "Places HTML list (session cookie)",
    "org_json": "Organisations JSON list (API token)",
    "org_html": "Organisation directory HTML page (session cookie)",
}
SHORT = {
    "hello": "hello",
    "json": "places JSON",
    "html": "places HTML",
    "org_json": "orgs JSON",
    "org_html": "orgs HTML",
}


@dataclass
class Results:
    facts: dict[str, str]
    dataset: Dataset
    list_latency: ListLatency
    deep: DeepPages
    html_page: Timings
    html_bytes: int
    org_lists: OrgLists
    three_w: list[ThreeWLevel]
    throughput: Throughput
    iterations: int
    seconds: float
    growth: Growth | None = None


@dataclass
class Growth:
    """The in-process pages' p95 at a second, larger scale factor ÷ at the first."""

    scale: float
    growth_scale: float
    # page, p95 at scale, p95 at growth_scale (ms), and the same in CPU time (ms)
    pages: list[tuple[str, float, float, float | None, float | None]]
    rounds: int = 1  # turns each scale's file took (``bench.run.GROWTH_ROUNDS``)


def _growth_row(name: str, old: float, new: float, old_cpu, new_cpu) -> str:
    wall = new / old
    cpu = f"{old_cpu:.2f} → {new_cpu:.2f} ms, {new_cpu / old_cpu:.2f}×" if old_cpu else "—"
    verdict = _verdict(wall <= GROWTH_MAX)
    if wall > GROWTH_MAX and old_cpu and new_cpu / old_cpu <= GROWTH_MAX:
        verdict += " (CPU time: within)"
    return (
        f"| {name} | {old:.2f} ms | {new:.2f} ms | {wall:.2f}× | {cpu} | ≤ {GROWTH_MAX:g}× "
        f"| {verdict} |"
    )


_GROWTH_HEAD = (
    "| page | p95 at SF{old:g} | p95 at SF{new:g} | growth | CPU time p95, growth | target "
    "| result |\n|---|---|---|---|---|---|---|"
)


def _growth_section(g: Growth | None) -> str:
    if g is None:
        return ""
    rows = "\n".join(_growth_row(*page) for page in g.pages)
    return f"""## Growth: scale factor {g.growth_scale:g} ÷ {g.scale:g}

The in-process pages on the data of both scale factors, each in its own SQLite file, for each
dataset's national coordinator (p95). Once the data at scale factor {g.growth_scale:g} is
generated, the two files take turns, {g.rounds} rounds of each, so that whatever else the shared
machine runs meanwhile meets both alike. The CPU time the request's thread spent (Python and
SQLite, all in process) is shown beside the wall time.

{_GROWTH_HEAD.format(old=g.scale, new=g.growth_scale)}
{rows}

"""


def _ms(t: Timings) -> str:
    return f"p50 {t.p50:.2f} ms, p95 {t.p95:.2f} ms"


def _verdict(ok: bool, errors: int = 0) -> str:
    if errors:
        return f"invalid ({errors} errors)"
    return "met" if ok else "**not met**"


def _rows(r: Results) -> list[tuple[str, str, str, str]]:
    lat, deep, tp = r.list_latency, r.deep, r.throughput
    short = "" if deep.deep_page >= 200 else f" (only {deep.deep_page} pages at this scale)"
    rows = [
        (
            "Places list, first page of 50 (ORM: `visible_to` + `keyset_page`), national "
            f"coordinator, {lat.visible_rows:,} places in scope",
            _ms(lat.orm),
            "—",
            "—",
        ),
        ("Same statement on `connection.cursor()`", _ms(lat.raw), "—", "—"),
        ("ORM ÷ raw SQL (p50)", f"{lat.ratio:.2f}×", "none for lists (roll-ups: ≤ 1.5×)", "—"),
        (
            f"Deep page: page {deep.deep_page} ÷ page 1, keyset, ORM (p50), network admin, "
            f"{deep.visible_rows:,} places",
            f"{deep.ratio:.2f}× ({deep.deep.p50:.2f} vs {deep.first.p50:.2f} ms)",
            f"≤ {DEEP_PAGE_MAX:g}×",
            _verdict(deep.ratio <= DEEP_PAGE_MAX) + short,
        ),
        (
            "Deep page, the same two statements raw (p50)",
            f"{deep.raw_ratio:.2f}× ({deep.deep_raw.p50:.2f} vs {deep.first_raw.p50:.2f} ms)",
            "—",
            "—",
        ),
        (
            f"Places list HTML page `{PLACES_PAGE}`, in process (test client)",
            _ms(r.html_page),
            "—",
            "—",
        ),
        *_org_list_rows(r.org_lists),
        *_three_w_rows(r.three_w),
        (
            f"Hello-world view `GET {TARGETS['hello']}` on gunicorn",
            f"{tp.rps('hello'):,.0f} req/s",
            "— (the ceiling)",
            f"invalid ({tp.errors('hello')} errors)" if tp.errors("hello") else "—",
        ),
    ]
    for name, minimum in SHARE_MIN.items():
        rows.append(
            (
                f"{LABELS[name]} `GET {TARGETS[name]}` ÷ hello-world (median of rounds)",
                f"{tp.share(name):.1%} ({tp.rps(name):,.0f} req/s)",
                f"≥ {minimum:.0%}",
                _verdict(tp.share(name) >= minimum, tp.errors(name)),
            )
        )
    return rows


def _page_value(page: PageTiming) -> str:
    return f"{_ms(page.timings)}; {page.queries} queries, {page.size / 1024:,.0f} KB"


def _org_list_rows(lists: OrgLists) -> list[tuple[str, str, str, str]]:
    scope = f"national coordinator, {lists.visible_rows:,} organisations in scope"
    return [
        (
            f"Organisation directory HTML page `{lists.html.path}`, first page of 50, in process "
            f"(test client), {scope}",
            _page_value(lists.html),
            "queries: the same for 1 and 50 rows (tests)",
            "—",
        ),
        (
            f"Organisations API list `{lists.api.path}`, in process (API token)",
            _page_value(lists.api),
            "—",
            "—",
        ),
    ]


def _three_w_rows(levels: list[ThreeWLevel]) -> list[tuple[str, str, str, str]]:
    rows = []
    for w in levels:
        where = f"{w.level} “{w.place.name}”, {w.organisations:,} organisations"
        rows.append(
            (
                f"3W page `{w.page.path}` ({where})",
                _page_value(w.page),
                f"p95 ≤ {ROLLUP_P95_MAX_MS:g} ms",
                _verdict(w.page.timings.p95 <= ROLLUP_P95_MAX_MS),
            )
        )
        rows.append(
            (
                f"3W selector `three_w()` ({w.selector_statements} statements) ÷ hand-written SQL "
                f"of the same whole answer ({w.raw_statements} statements), {w.level}, p50",
                f"{w.ratio:.2f}× (selector {_ms(w.selector)}; SQL {_ms(w.raw)})",
                f"≤ {ROLLUP_MAX_RATIO:g}×",
                _verdict(w.ratio <= ROLLUP_MAX_RATIO),
            )
        )
        if w.replayed is not None:
            rows.append(
                (
                    f"The selector's own {w.selector_statements} statements replayed on "
                    f"`connection.cursor()`, {w.level}",
                    f"{_ms(w.replayed)} (selector ÷ replay {w.selector.p50 / w.replayed.p50:.2f}×)",
                    "—",
                    "—",
                )
            )
    return rows


def render_table(r: Results) -> str:
    lines = ["| measure | value | target (QUALITY.md) | result |", "|---|---|---|---|"]
    lines += [f"| {' | '.join(row)} |" for row in _rows(r)]
    return "\n".join(lines)


def _throughput_tables(tp: Throughput) -> str:
    shared = [name for name in TARGETS if name != "hello"]
    rounds = [
        "| round | "
        + " | ".join(f"{SHORT[name]} req/s" for name in TARGETS)
        + " | "
        + " | ".join(f"{SHORT[name]} ÷ hello" for name in shared)
        + " |"
    ]
    rounds.append("|---" * (1 + len(TARGETS) + len(shared)) + "|")
    for i in range(tp.rounds):
        rates = " | ".join(f"{tp.runs[name][i].rps:,.0f}" for name in TARGETS)
        shares = " | ".join(f"{tp.round_share(name, i):.1%}" for name in shared)
        rounds.append(f"| {i + 1} | {rates} | {shares} |")
    totals = ["| URL | req/s | requests | errors | latency p50 (ms) | latency p99 (ms) |"]
    totals.append("|---|---|---|---|---|---|")
    for name, path in TARGETS.items():
        loads = tp.runs[name]
        p50s = [load.p50_ms for load in loads if load.p50_ms is not None]
        p99s = [load.p99_ms for load in loads if load.p99_ms is not None]
        totals.append(
            f"| `{path}` | {tp.rps(name):,.0f} | {sum(load.requests for load in loads):,} | "
            f"{tp.errors(name)} | {statistics.median(p50s) if p50s else 0:.1f} | "
            f"{max(p99s) if p99s else 0:.1f} |"
        )
    return "\n".join(rounds) + "\n\n" + "\n".join(totals)


# Not measured by the run: a cProfile of requests in process on the SF1 data, rewritten by hand
# when the code it describes changes (shares are of cProfile's inflated time: compare them with
# each other only).
PROFILE_SUMMARY = """## Where the remaining time goes

Wall time on a shared two-core machine moves by a third from one minute to the next, so the
work on these pages is counted in Python function calls per request (`python -m bench.calls`,
the same count whatever the load; decision 0009). Same SF1 data, national coordinator of one
country: before the first round (07ea1be), after it (4789219), after the second (bfa4a9c) and
after the third (4 December, decision 0011):

| page | Python calls a request |
|---|---|
| `/bench/hello` (the floor; signed in) | 4,158 → 4,158 → 4,158 → 2,654 |
| `/places/index/` | 52,923 → 43,504 → 32,869 → 26,048 |
| `/api/places?limit=50` | 19,828 → 19,828 → 12,299 → 8,540 |
| `/organisations/` | 94,052 → 64,504 → 48,402 → 38,932 |
| `/api/organisations?limit=50` | 37,914 → 35,669 → 17,425 → 10,216 |
| `/actors/3w/?place=AA010101` (a city) | 73,384 → 58,297 → 47,705 → 42,886 |

- **First round.** The filter forms' widgets are written in Python, not through Django's
  templates (`web.form_renderer.FormRenderer`; the test run renders every form both ways and
  compares). The organisations and places a row names are decided in Python from their loaded
  columns (`Scope.admits`, tested equal to SQL). A list's related records are attached to the
  page's rows in one grouped query each (`ModelViewSet.attach_listed`). The table body is
  written in one pass (`rows_html`). The 3W reads a stored roll-up (`OrganisationReach`,
  decision 0008).
- **Second round** (decision 0009, "Second round"). An API list asked for without filters
  builds no filter form; answer schemas read a record in one pass (`RecordOut`); a page's
  related places, areas and themes are read by fixed statements on a cursor
  (`core.plain_reads`); cells of one plain field skip the general path; the shell's menus are
  written in Python; lists join only the relations they name (`select_related()` with no name
  had joined them all). The 3W's two roll-up statements are compiled once per reader's scope
  and filter shape and bound per call (`core.statements`, decision 0010).
- **Third round** (decision 0011). Each request's session, user, API token and access epoch
  are read by statements compiled once (`core.fixed_reads.FixedRead`: each had cost the ORM
  300-400 µs for 10 µs of SQLite). Nearly every model's records are built without
  `Model.__init__`'s general path (`TimeStampedModel.from_db`, held by a test to Django's own
  for every model), and a list's page through `read_records`. Filter sets copy their filters
  instead of deep-copying them. The unread count, the sensitive-read log and the theme links
  are plain statements.
- **Fourth round** (decision 0012). The scope's condition is resolved once per model and
  scope and a copy added to each queryset (it had cost each `visible_to` a third of a
  millisecond); the filter form takes its filters' fields without a per-request form class
  and deep copies; whether a reader sees a hub is decided in Python from the hubs' place
  paths (a joined `exists()` had cost 0.48 ms); select options are kept once written; the
  filter rows are written in Python; the API's JSON by orjson. API rate limits keep one time
  per key instead of every request's time of the last period (with the bench's unreached
  limit that list had grown to thousands of entries, read and written twice a request).
  Keyset pages put the cursor's bound first in their statement, so SQLite no longer reads the
  whole scope before a deep page (the page-200 statement now takes what page 1 takes).
- **Fifth round** (decision 0013, for issue 9's staff application list; the directory is
  unchanged). A wide reader's newest applications are read along an index in the list's order
  (on SQLite a scan bounded at 40 pages' worth of the table, with the usual statement past
  it). A call named by a row is decided with its fund from loaded columns, and hidden record
  filters are scoped only when the request fills them. The page's joined rows are read by
  their keys from a statement compiled once per shape. The staff list went from 14.6 to
  about 8 ms in process on that session's machine. An index by name for the directory was
  tried and taken back: names cluster by country, so the bounded scan fell back at SF10.
- **Sixth round** (decision 0014, every page). Python's cyclic garbage collector had been
  tracing each page's records: a rendered template context is a reference cycle, so the 50
  records of a list page and their joined records lived on until a collection found them,
  and two or three collections of the youngest generation ran in every request. A full
  collection of the 280,000 objects a worker loads at start took about 150 ms, once every
  few hundred requests. Now the template backend empties a context once its page is written
  (the page's objects are freed by reference counting), and a served worker freezes what it
  loaded and collects its youngest generation after 5,000 allocations instead of 700. The
  collector's share of the staff list went from 0.92 to 0.26 ms a request, and full
  collections stopped; on gunicorn, the staff list gained about 8 % (five alternating rounds).
- **Seventh round** (decision 0015, the two organisation lists and every page). A reader
  whose grants are all at depth 0 or 1 (the world or a country, the level below it) has
  `PathPrefix(place_path, d) IN (their places, the places above)` written beside their scope;
  it selects nothing the scope does not, and the indexes `org_depth0_name` / `org_depth1_name`
  give those rows by name, so SQLite reads 51 entries for a page instead of sorting the
  2,465 in scope: the page statement went from 0.85 to 0.16 ms, the API list from about 4.7 to
  3.0 ms in process. The page shell is written by three tags instead of 60 lines of template
  (the same text, held byte for byte to the old template): 0.78 to 0.52 ms a page.
- **Eighth round** (every list page). A column that walks forward relations to a plain field
  (`organisation.name`, `call.fund.currency`) is walked once: the records on the way are kept
  for the sight and the end value for the cell, where the cells were walked twice (once to
  note the records, once through `resolve_attr`). Text is escaped only when it holds one of
  the five characters `html.escape` replaces, and `Scope.admits` tests a subtree with
  `startswith` (the same range, held by a property test). The staff application list went
  from 6.3 to 5.9 ms in process; a page of 1 row costs 3.6 ms, 50 rows 5.7 ms.
- **Ninth round** (decision 0017, every list page and every part). An unbound filter form is
  written once per key read off the form as built for the reader (a select of records, a bound
  form or a picker with a value is written each time): 0.8 ms of the staff application list.
  A part's parent (a grant's application, a seat's body) is asked about per part with
  `EXISTS`, not as a list of every parent the reader sees. A wide reader's page rows and
  their joins are one statement along the order index (on SQLite within the bounded scan).
  The throughput runs' signed-in browser sends the CSRF cookie the sign-in form set, as a
  browser does; without it each page made and sent a new CSRF secret.
- **Tenth round** (decision 0018, every signed-in page). One statement reads the session, its
  user, the access epoch and the menu's unread count (sessions name their user in a column).
  The access is kept in the process by its key. The URLconf tries modules under a prefix
  before those at the root. A list's rows are written as one string. On PostgreSQL, a page's
  joined statement is planned as written, times are read in C, and the connection health
  check is asked only of a rested connection.
- **What remains.** In the directory (5.5-6.5 ms in process): the filter widgets and labels
  (the theme list's query and options, the two place pickers, Django's option building,
  about 0.5 ms), the related places and themes (about 0.45 ms), the rows and their sight
  (about 0.5 ms), the shell's context (0.23 ms) and what is left of its template engine
  (blocks, the messages include, about 0.3 ms), the sensitive-read log (an insert and its
  commit, about 0.25 ms), session and user. In the organisations API (about 3 ms in
  process): the serialisation (about 0.7 ms), the related places, areas and themes (three
  statements), the sight and the log. At a 3W city, Django's cursor wrapper and the answer's
  matrix around 0.22 ms of SQL.
"""


def render_report(r: Results) -> str:
    d, tp = r.dataset, r.throughput
    depths = ", ".join(f"depth {k}: {v:,}" for k, v in sorted(d.places_by_depth.items()))
    roles = ", ".join(f"{k}: {v:,}" for k, v in sorted(d.assignments_by_role.items()))
    facts = "\n".join(f"- {key}: {value}" for key, value in r.facts.items())
    a = d.actors
    tlps = ", ".join(f"{k}: {v:,}" for k, v in sorted(a.organisations_by_tlp.items()))
    country = r.three_w[0]
    return f"""# Benchmarks

Written by `make bench` (`python -m bench.run`); every run overwrites this file. Figures are
ratios and percentiles from one run on one machine: compare them with each other, not with
another machine's. Targets are those of QUALITY.md ("Performance"); measures without a target
are there to explain the others.

## Results

{render_table(r)}

{_growth_section(r.growth)}## Machine and data

{facts}
- Places: {d.places:,} ({depths})
- Users: {d.users:,}; role assignments: {sum(d.assignments_by_role.values()):,} ({roles})
- Organisations: {a.organisations:,} ({tlps})
- Organisation areas of work: {a.areas:,}; organisation–theme links: {a.theme_links:,}
- People: {a.people:,}; posts: {a.posts:,}

## Throughput details

gunicorn with {tp.workers} sync workers; {tp.connections} concurrent clients on the same machine;
{tp.rounds} rounds, each loading the {len(TARGETS)} URLs in turn (order rotated each round) for
{tp.run_seconds:.3g} s each, after a warm-up. Latency percentiles: the median of the rounds' p50
and the highest of their p99.

{_throughput_tables(tp)}

{PROFILE_SUMMARY}
## Method

- A fresh database in `var/bench` (never the developer's `var/`), migrated, then filled with
  `bulk_create`: a fictional World > country > region > district > city > ward tree whose paths
  come from `child_path`, users sharing one pre-hashed password, role assignments with
  `place_path` set.
- Latencies are wall-clock times of {r.iterations} calls each after a warm-up, alternating the
  compared calls so that machine noise hits them alike; percentiles are nearest-rank. The
  user's access (two queries) is loaded once and cached on the user object, as within a request.
- "Raw" is the exact statement `keyset_page` sends (captured with `execute_wrapper`), run
  through `connection.cursor()` and fetched; the ORM side also builds the queryset and the model
  instances. The first page of the national coordinator's list:

  ```sql
  {_abridged(r.list_latency.sql)}
  ```
- Deep pages: the cursors are walked from page 1 to page {r.deep.deep_page}, then that page is
  timed against page 1 (the network admin sees the whole tree; one country has too few pages).
  Its statement:

  ```sql
  {_abridged(r.deep.deep_sql)}
  ```
- Organisations (`bench/generate_actors.py`, fixed seed): based mostly in cities and wards,
  some at district, region or country level; sectors and TLP labels drawn with fixed weights
  (mostly GREEN, some CLEAR and AMBER); each has an area of work at its home place (as
  `do_save_organisation` ensures) and 0–2 more at a child or sibling place, and 1–3 of the
  themes the actors migration seeds. Each person holds one post at a random organisation;
  person and post live at that organisation's place. `place_path` is copied by the generator,
  since `bulk_create` skips `save()`.
- Organisation directory: its first page (ordered by name) through the test client, as HTML
  with a forced login and as JSON with an API token, for the national coordinator. Queries are
  counted with `CaptureQueriesContext` over one request (session, user and access included).
- 3W: the page `/actors/3w/?place=<id>` through the test client, the selector
  `three_w(user, OrgFilters(place=…))` in process (the user's access cached), and hand-written
  SQL of the same whole answer — organisations per sector, per sector × theme, and the most
  crowded (place, theme) pairs ranked and cut in SQL, among the organisations the user may
  see — checked to give exactly the selector's answer and run on `connection.cursor()`. The
  ratio compares the whole selector ({country.selector_statements} statements, the user's
  access cached) with those {country.raw_statements} statements. At the country:

  ```sql
  {country.raw_sql}
  ```
- Throughput: `gunicorn bridgework.wsgi` in a subprocess on a free port of 127.0.0.1 with
  `BRIDGEWORK_BENCH=1` (which mounts `/bench/hello`, a bare view behind the full middleware
  stack) and `DEBUG` unset. Each URL is checked once for a 200 and the expected content before
  any load. The JSON lists authenticate with an API token, the HTML pages with a session made
  in process, all for the same national coordinator.
"""


def _abridged(sql: str) -> str:
    """The statement with its select list shortened to the first column."""
    head, sep, tail = sql.partition(" FROM ")
    first = head.split(", ")[0]
    return f"{first}, … FROM {tail}" if sep and first != head else sql
