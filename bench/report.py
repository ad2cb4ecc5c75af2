"""The results table and the Markdown report (``docs/benchmarks.md``)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from .generate import Dataset
from .measure import Timings
from .scenarios import PLACES_PAGE, TARGETS, DeepPages, ListLatency, Throughput

__all__ = ["Results", "render_report", "render_table"]

# Targets from ../shared/design/QUALITY.md, "Performance".
DEEP_PAGE_MAX = 2.0
SHARE_MIN = {"json": 0.15, "html": 0.10}
LABELS = {
    "hello": "Hello-world view",
    "json": "JSON list (API token)",
    "html": "HTML list (session cookie)",
}


@dataclass
class Results:
    facts: dict[str, str]
    dataset: Dataset
    list_latency: ListLatency
    deep: DeepPages
    html_page: Timings
    html_bytes: int
    throughput: Throughput
    iterations: int
    seconds: float


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


def render_table(r: Results) -> str:
    lines = ["| measure | value | target (QUALITY.md) | result |", "|---|---|---|---|"]
    lines += [f"| {' | '.join(row)} |" for row in _rows(r)]
    return "\n".join(lines)


def _throughput_tables(tp: Throughput) -> str:
    rounds = ["| round | hello req/s | JSON req/s | HTML req/s | JSON ÷ hello | HTML ÷ hello |"]
    rounds.append("|---|---|---|---|---|---|")
    for i in range(tp.rounds):
        rates = " | ".join(f"{tp.runs[name][i].rps:,.0f}" for name in TARGETS)
        shares = " | ".join(f"{tp.round_share(name, i):.1%}" for name in ("json", "html"))
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


def render_report(r: Results) -> str:
    d, tp = r.dataset, r.throughput
    depths = ", ".join(f"depth {k}: {v:,}" for k, v in sorted(d.places_by_depth.items()))
    roles = ", ".join(f"{k}: {v:,}" for k, v in sorted(d.assignments_by_role.items()))
    facts = "\n".join(f"- {key}: {value}" for key, value in r.facts.items())
    return f"""# Benchmarks

Written by `make bench` (`python -m bench.run`); every run overwrites this file. Figures are
ratios and percentiles from one run on one machine: compare them with each other, not with
another machine's. Targets are those of QUALITY.md ("Performance"); measures without a target
are there to explain the others.

## Results

{render_table(r)}

## Machine and data

{facts}
- Places: {d.places:,} ({depths})
- Users: {d.users:,}; role assignments: {sum(d.assignments_by_role.values()):,} ({roles})

## Throughput details

gunicorn with {tp.workers} sync workers; {tp.connections} concurrent clients on the same machine;
{tp.rounds} rounds, each loading the three URLs in turn (order rotated each round) for
{tp.run_seconds:.3g} s each, after a warm-up. Latency percentiles: the median of the rounds' p50
and the highest of their p99.

{_throughput_tables(tp)}

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
- Throughput: `gunicorn bridgework.wsgi` in a subprocess on a free port of 127.0.0.1 with
  `BRIDGEWORK_BENCH=1` (which mounts `/bench/hello`, a bare view behind the full middleware
  stack) and `DEBUG` unset. Each URL is checked once for a 200 and the expected content before
  any load. The JSON list authenticates with an API token, the HTML list with a session made
  in process, both for the same national coordinator.
"""


def _abridged(sql: str) -> str:
    """The statement with its select list shortened to the first column."""
    head, sep, tail = sql.partition(" FROM ")
    first = head.split(", ")[0]
    return f"{first}, … FROM {tail}" if sep and first != head else sql
