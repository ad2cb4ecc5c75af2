"""``make faults``: break the running server on purpose and check what people and scripts see.

    python -m bench.faults [--database-url URL] [--sqlite]

Each check prints PASS, FAIL or SKIP (with why); the exit code is 1 when any check failed.

- **kill -9 a worker**: while API clients create organisations, a gunicorn worker is killed;
  every write answered 2xx is in the database afterwards, and writes go on being answered.
- **PostgreSQL stop and start** (on PostgreSQL, a local cluster): the cluster is stopped for a
  few seconds during the writes (and always started again); ``/healthz`` answers 503 while it
  is down, the app recovers by itself, and no acknowledged write is lost.
- **read-only SQLite file**: the file is made read-only (``chattr +i`` as root, else
  ``chmod 0444``); reading still works, and a sign-in and an API write get a clear 503, never
  a 500 or a trace.
- **full disk** (SQLite, as root): the database sits on a small tmpfs filled to the last byte;
  the same writes get the same clear 503.

Without options it runs on SQLite, then — when ``DATABASE_URL`` names PostgreSQL — on that
server in a database of its own (``bw_faults``, emptied first). It uses its own data folder
(``var/faults``) and gunicorn on a free port of 127.0.0.1. Run it as a maintainer, not in CI:
it stops the local PostgreSQL cluster, which every client of it notices.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from .measure import HOST, check_get, gunicorn_server
from .serving import (
    REPO,
    SQLITE_FILE,
    derived_database_url,
    fresh_database,
    prepare_environment,
    step,
)

__all__ = ["main"]

DATA_DIR = REPO / "var" / "faults"
PG_CLUSTER = os.environ.get("FAULTS_PG_CLUSTER", "15 main").split()
OUTAGE_SECONDS = 3.0  # how long PostgreSQL stays stopped: others use this cluster too
RECOVERY_SECONDS = 30.0
WRITERS = 3
MAX_WRITES_PER_WRITER = 5_000  # a count bound on top of the time bound
PASSWORD = "fault-check-" + uuid.uuid4().hex  # noqa: S105  (a throw-away user's, this run only)


# --- Results ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    name: str
    passed: bool | None  # None: skipped
    details: list[str] = field(default_factory=list)

    def print(self) -> None:
        word = {True: "PASS", False: "FAIL", None: "SKIP"}[self.passed]
        print(f"{word}  {self.name}", flush=True)
        for line in self.details:
            print(f"      {line}", flush=True)


def _expect(details: list[str], condition: bool, what: str) -> bool:
    details.append(f"{'ok ' if condition else 'NOT'} {what}")
    return condition


# --- API writes while something breaks ---------------------------------------------------------


@dataclass
class Write:
    at: float
    status: int | None  # None: no answer (connection refused or reset)
    name: str
    record_id: int | None = None


class WriteStream:
    """A few API clients creating organisations with unique names until stopped; every answer
    (or its absence) is kept with its time."""

    def __init__(self, port: int, token: str, place_id: int, run: str):
        self.port, self.token, self.place_id, self.run = port, token, place_id, run
        self.stop = threading.Event()
        self.writes: list[Write] = []
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._write_loop, args=(i,), daemon=True)
            for i in range(WRITERS)
        ]

    def __enter__(self) -> WriteStream:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(timeout=30)

    def _write_loop(self, writer: int) -> None:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=10)
        for number in range(MAX_WRITES_PER_WRITER):
            if self.stop.is_set():
                break
            name = f"Fault Check Association {self.run}-{writer}-{number}"
            body = json.dumps(
                {
                    "name": name,
                    "sector": "civil_society",
                    "level": "local",
                    "place": self.place_id,
                    "tlp": 1,
                }
            )
            write = Write(at=time.monotonic(), status=None, name=name)
            try:
                conn.request(
                    "POST",
                    "/api/organisations",
                    body=body,
                    headers={
                        "Authorization": f"Bearer {self.token}",
                        "Content-Type": "application/json",
                    },
                )
                response = conn.getresponse()
                payload = response.read()
                write.status = response.status
                if 200 <= response.status < 300:
                    write.record_id = json.loads(payload)["id"]
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(HOST, self.port, timeout=10)
            with self._lock:
                self.writes.append(write)
            time.sleep(0.02)
        conn.close()

    def acknowledged(self) -> list[Write]:
        return [w for w in self.writes if w.status is not None and 200 <= w.status < 300]

    def statuses(self) -> str:
        counts = Counter("no answer" if w.status is None else str(w.status) for w in self.writes)
        return ", ".join(f"{status}: {n}" for status, n in sorted(counts.items()))


def lost_writes(acknowledged: list[Write]) -> list[str]:
    """The acknowledged writes the database does not hold, under the id it answered."""
    from django.db import connection

    from bridgework.actors.models import Organisation

    connection.close()  # a connection from before a fault may be dead
    stored = dict(
        Organisation.objects.filter(name__in=[w.name for w in acknowledged]).values_list(
            "name", "pk"
        )
    )
    return [
        f"{w.name} (id {w.record_id})" for w in acknowledged if stored.get(w.name) != w.record_id
    ]


def _no_acknowledged_write_lost(details: list[str], stream: WriteStream) -> bool:
    acknowledged = stream.acknowledged()
    lost = lost_writes(acknowledged)
    ok = _expect(details, bool(acknowledged), f"{len(acknowledged)} writes acknowledged")
    ok &= _expect(
        details, not lost, f"every acknowledged write is in the database (lost: {lost[:5]})"
    )
    return ok


# --- gunicorn's processes ----------------------------------------------------------------------


def _processes() -> Iterator[tuple[int, int, bytes]]:
    """(pid, parent pid, command line) of every process this user can see."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])  # the field after the state
        yield int(entry.name), parent, cmdline


def gunicorn_workers(port: int) -> list[int]:
    """The worker pids of the gunicorn this process started on ``port``."""
    bind = f"{HOST}:{port}".encode()
    processes = list(_processes())
    masters = [
        pid
        for pid, parent, cmd in processes
        if parent == os.getpid() and b"gunicorn" in cmd and bind in cmd
    ]
    return [pid for pid, parent, _cmd in processes if parent in masters]


# --- The checks --------------------------------------------------------------------------------


@dataclass
class Setup:
    env: dict[str, str]
    token: str
    email: str
    place_id: int
    vendor: str


def check_worker_kill(setup: Setup, log_path: Path) -> Outcome:
    details: list[str] = []
    name = f"kill -9 a gunicorn worker during API writes ({setup.vendor})"
    with gunicorn_server(env=setup.env, cwd=REPO, workers=2, log_path=log_path) as port:
        with WriteStream(port, setup.token, setup.place_id, uuid.uuid4().hex[:8]) as stream:
            time.sleep(2)
            victims = gunicorn_workers(port)
            if not victims:
                return Outcome(name, False, ["could not find gunicorn's workers in /proc"])
            os.kill(victims[0], signal.SIGKILL)
            killed_at = time.monotonic()
            details.append(f"killed worker {victims[0]} of {victims}")
            time.sleep(1)
            for victim in gunicorn_workers(port)[:1]:  # and one more, maybe the new one
                os.kill(victim, signal.SIGKILL)
                details.append(f"killed worker {victim}")
            time.sleep(5)
        details.append(f"answers: {stream.statuses()}")
        after = [w for w in stream.acknowledged() if w.at > killed_at + 1]
        ok = _expect(details, bool(after), "writes were acknowledged again after the kills")
        ok &= _expect(
            details,
            not [w for w in stream.writes if w.status is not None and w.status >= 500],
            "no 5xx answer (a request on a killed worker gets no answer at all)",
        )
    ok &= _no_acknowledged_write_lost(details, stream)
    return Outcome(name, ok, details)


def _pg_ctl(action: str) -> None:
    subprocess.run(  # noqa: S603
        [  # noqa: S607  (Debian's wrapper, found on PATH as postgresql-common installs it)
            "pg_ctlcluster",
            "--skip-systemctl-redirect",
            *PG_CLUSTER,
            action,
            *(["-m", "fast"] if action == "stop" else []),
        ],
        check=True,
        timeout=60,
        capture_output=True,
    )


def _start_postgres(attempts: int = 5) -> None:
    for attempt in range(attempts):
        try:
            _pg_ctl("start")
            return
        except subprocess.SubprocessError as exc:
            with suppress(subprocess.SubprocessError):
                _pg_ctl("status")  # succeeds when it is running after all
                return
            print(f"starting PostgreSQL failed ({exc}); trying again", file=sys.stderr)
            if attempt == attempts - 1:
                raise
            time.sleep(2)


class HealthWatch:
    """Polls /healthz a few times a second; keeps (time, status or None)."""

    def __init__(self, port: int):
        self.port = port
        self.seen: list[tuple[float, int | None]] = []
        self.stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> HealthWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self._thread.join(timeout=10)

    def _poll(self) -> None:
        while not self.stop.is_set():
            status: int | None
            asked = time.monotonic()  # when asked: an answer begun before a stop is no proof
            try:
                status = check_get(self.port, "/healthz", {}, timeout=3)[0]
            except OSError:
                status = None
            self.seen.append((asked, status))
            time.sleep(0.2)

    def between(self, start: float, end: float) -> list[int | None]:
        return [status for at, status in self.seen if start <= at <= end]


def check_postgres_restart(setup: Setup, log_path: Path, database_url: str) -> Outcome:
    name = "PostgreSQL stopped and started during API writes"
    host = urlsplit(database_url).hostname or "localhost"
    if host not in {"127.0.0.1", "localhost", "::1"} or shutil.which("pg_ctlcluster") is None:
        return Outcome(name, None, ["needs a local cluster and pg_ctlcluster"])
    details: list[str] = []
    with gunicorn_server(env=setup.env, cwd=REPO, workers=2, log_path=log_path) as port:
        with (
            HealthWatch(port) as health,
            WriteStream(port, setup.token, setup.place_id, uuid.uuid4().hex[:8]) as stream,
        ):
            time.sleep(2)
            stopping = time.monotonic()
            try:
                _pg_ctl("stop")
                stopped = time.monotonic()
                details.append(
                    f"cluster {' '.join(PG_CLUSTER)} stopped in {stopped - stopping:.1f} s"
                )
                time.sleep(OUTAGE_SECONDS)
            finally:
                starting = time.monotonic()
                _start_postgres()  # always, whatever happened: others use this cluster
                started = time.monotonic()
                details.append(f"started again after {started - stopping:.1f} s down")
            recovered = _wait_for(
                lambda: any(s == 200 for at, s in health.seen if at > started), RECOVERY_SECONDS
            )
            _wait_for(lambda: any(w.at > started for w in stream.acknowledged()), RECOVERY_SECONDS)
            time.sleep(2)
        while_down = health.between(stopped, starting)
        details.append(f"/healthz while down: {dict(Counter(while_down))}")
        details.append(f"write answers: {stream.statuses()}")
        ok = _expect(
            details, 503 in while_down, "/healthz answered 503 while the database was down"
        )
        ok &= _expect(
            details,
            all(s in (503, None) for s in while_down),
            "/healthz never claimed health (200) or failed otherwise while it was down",
        )
        ok &= _expect(details, recovered, f"/healthz 200 again within {RECOVERY_SECONDS:.0f} s")
        ok &= _expect(
            details,
            any(w.at > started for w in stream.acknowledged()),
            "writes acknowledged again after the restart, without restarting the app",
        )
        ok &= _expect(
            details,
            500 not in {w.status for w in stream.writes},
            "no write answered 500 (503 while the database was away)",
        )
    ok &= _no_acknowledged_write_lost(details, stream)
    return Outcome(name, ok, details)


def _wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def _clear_refusal(details: list[str], status: int, body: bytes, what: str) -> bool:
    text = body.decode(errors="replace")
    ok = _expect(details, status == 503, f"{what}: 503 (got {status})")
    ok &= _expect(details, "cannot save changes" in text, f"{what}: says changes cannot be saved")
    ok &= _expect(
        details,
        "Traceback" not in text and 'File "' not in text,
        f"{what}: no trace",
    )
    return ok


def _attempt_writes(port: int, setup: Setup, details: list[str]) -> bool:
    """A sign-in through the form and an API write: both must be refused clearly."""
    ok = _expect(details, check_get(port, "/healthz", {})[0] == 200, "/healthz: 200 (reads work)")
    status, headers, body = check_get(port, "/accounts/login/", {})
    ok &= _expect(details, status == 200, "the sign-in page is served (reads work)")
    csrf = _cookie(headers, "csrftoken")
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request(
            "POST",
            "/accounts/login/",
            body=urlencode(
                {"username": setup.email, "password": PASSWORD, "csrfmiddlewaretoken": csrf}
            ),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={csrf}",
                "Referer": f"http://{HOST}:{port}/accounts/login/",
            },
        )
        response = conn.getresponse()
        ok &= _clear_refusal(details, response.status, response.read(), "sign-in")
        conn.request(
            "POST",
            "/api/organisations",
            body=json.dumps(
                {
                    "name": "Fault Check Full",
                    "sector": "youth",
                    "level": "local",
                    "tlp": 1,
                    "place": setup.place_id,
                }
            ),
            headers={"Authorization": f"Bearer {setup.token}", "Content-Type": "application/json"},
        )
        response = conn.getresponse()
        ok &= _clear_refusal(details, response.status, response.read(), "API write")
    finally:
        conn.close()
    return ok


def _cookie(headers: dict[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == "set-cookie" and value.startswith(f"{name}="):
            return value.split(";", 1)[0].split("=", 1)[1]
    raise RuntimeError(f"no {name} cookie in {headers}")


def _checkpoint(database: Path) -> None:
    """Fold the WAL into the file, so the file alone holds everything."""
    with sqlite3.connect(database) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@contextmanager
def read_only(path: Path) -> Iterator[str]:
    """The file made read-only for everyone: immutable as root (root ignores modes)."""
    if os.geteuid() == 0 and shutil.which("chattr"):
        subprocess.run(["chattr", "+i", str(path)], check=True)  # noqa: S603, S607
        try:
            yield "chattr +i"
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)  # noqa: S603, S607
    else:
        mode = path.stat().st_mode
        path.chmod(0o444)
        try:
            yield "chmod 0444"
        finally:
            path.chmod(mode)


def check_read_only(setup: Setup, log_path: Path) -> Outcome:
    name = "read-only SQLite file: a clear 503, never a 500"
    database = DATA_DIR / SQLITE_FILE
    _checkpoint(database)
    details: list[str] = []
    with read_only(database) as how:
        details.append(f"made read-only with {how}")
        with gunicorn_server(env=setup.env, cwd=REPO, workers=1, log_path=log_path) as port:
            ok = _attempt_writes(port, setup, details)
    return Outcome(name, ok, details)


@contextmanager
def full_disk(source: Path) -> Iterator[Path]:
    """A copy of the data folder on a tmpfs just larger than the database, then filled."""
    mount = DATA_DIR.parent / "faults-full"
    mount.mkdir(exist_ok=True)
    size_kb = source.stat().st_size // 1024 + 2048
    subprocess.run(  # noqa: S603
        ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k,mode=0700", "tmpfs", str(mount)],  # noqa: S607
        check=True,
        capture_output=True,
    )
    try:
        (mount / "static").mkdir()
        shutil.copy2(DATA_DIR / "secret_key", mount / "secret_key")
        shutil.copy2(source, mount / SQLITE_FILE)
        holder = sqlite3.connect(mount / SQLITE_FILE)  # keeps -wal and -shm in being
        holder.execute("SELECT count(*) FROM django_migrations").fetchone()
        _fill(mount / "filler")
        try:
            yield mount
        finally:
            holder.close()
    finally:
        subprocess.run(["umount", str(mount)], check=False)  # noqa: S603, S607


def _fill(path: Path) -> None:
    chunk = b"\0" * 65536
    with suppress(OSError), path.open("wb", buffering=0) as filler:
        while True:
            filler.write(chunk)
    with suppress(OSError), path.open("ab", buffering=0) as filler:
        while True:
            filler.write(b"\0")  # the last bytes a chunk did not fit in


def check_full_disk(setup: Setup, log_path: Path) -> Outcome:
    name = "full disk under SQLite: a clear 503, never a 500"
    if os.geteuid() != 0:
        return Outcome(name, None, ["needs root, to mount a small tmpfs"])
    database = DATA_DIR / SQLITE_FILE
    _checkpoint(database)
    details: list[str] = []
    with full_disk(database) as folder:
        free = shutil.disk_usage(folder).free
        details.append(f"data folder on a full tmpfs ({free} bytes free)")
        env = {**setup.env, "BRIDGEWORK_DATA_DIR": str(folder)}
        with gunicorn_server(env=env, cwd=REPO, workers=1, log_path=log_path) as port:
            ok = _attempt_writes(port, replace(setup, env=env), details)
    return Outcome(name, ok, details)


# --- One database --------------------------------------------------------------------------------


def prepare(database_url: str | None) -> Setup:
    env = prepare_environment(DATA_DIR, database_url)
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from bridgework.access.actions import do_create_api_token
    from bridgework.access.models import RoleAssignment

    from .generate import generate

    fresh_database("faults")
    dataset = generate(0.01)
    assignment = RoleAssignment.objects.select_related("user", "place").get(
        user=dataset.coordinator, role__slug="national_coordinator"
    )
    user = assignment.user
    user.password = make_password(PASSWORD)
    user.save(update_fields=["password"])
    _token, secret = do_create_api_token(user=user, name="make faults")
    vendor = connection.vendor
    connection.close()
    return Setup(env, secret, user.email, assignment.place_id, vendor)


def run_on(database_url: str | None) -> int:
    started = time.monotonic()
    step(started, f"Preparing {'PostgreSQL' if database_url else 'SQLite'}")
    setup = prepare(database_url)
    log_path = DATA_DIR / "gunicorn.log"
    log_path.write_bytes(b"")
    checks: dict[str, Callable[[], Outcome]] = {
        "kill -9 a worker": lambda: check_worker_kill(setup, log_path)
    }
    if database_url is not None:
        checks["PostgreSQL stop and start"] = lambda: check_postgres_restart(
            setup, log_path, database_url
        )
    else:
        checks["read-only SQLite file"] = lambda: check_read_only(setup, log_path)
        checks["full disk"] = lambda: check_full_disk(setup, log_path)
    failed = 0
    for name, check in checks.items():
        try:
            outcome = check()
        except Exception as exc:  # a check that crashed is a failed check, with its reason
            outcome = Outcome(name, False, [f"crashed: {exc!r}"])
        outcome.print()
        failed += outcome.passed is False
    step(started, f"{len(checks) - failed} of {len(checks)} checks did not fail (log: {log_path})")
    return 1 if failed else 0


def _interrupt(signum, frame):
    raise KeyboardInterrupt  # so `finally` blocks restart PostgreSQL and stop the server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.faults", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--database-url", help="PostgreSQL only; its name must contain 'faults'")
    parser.add_argument("--sqlite", action="store_true", help="SQLite only")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    if args.database_url or args.sqlite:
        return run_on(args.database_url)
    # Each database in a process of its own: Django is set up once per process.
    runs = [["--sqlite"]]
    shell_database = os.environ.get("DATABASE_URL", "")
    if shell_database.startswith(("postgres://", "postgresql://")):
        runs.append(["--database-url", derived_database_url(shell_database, "faults")])
    codes = [
        subprocess.run(  # noqa: S603  (this same script, fixed argv)
            [sys.executable, "-m", "bench.faults", *run], cwd=REPO, check=False
        ).returncode
        for run in runs
    ]
    return max(codes)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted; the server was stopped", file=sys.stderr)
        sys.exit(130)
