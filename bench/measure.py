"""Timers, percentiles, a gunicorn server in a subprocess, and a bounded HTTP load generator.

Nothing in this module imports Django: it is plain measurement machinery. Every loop is bounded
in both count and time, and the only host ever contacted is 127.0.0.1.
"""

from __future__ import annotations

import http.client
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "HOST",
    "Load",
    "Timings",
    "check_get",
    "free_port",
    "generate_load",
    "gunicorn_server",
    "percentile",
    "time_calls",
    "wrk_version",
]

HOST = "127.0.0.1"
MAX_REQUESTS_PER_CONNECTION = 2_000_000  # a count bound on top of the time bound
MAX_ERRORS = 1_000  # stop a Python load run early when the server keeps failing


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (``p`` in 0..100) of a non-empty list."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Timings:
    """Wall-clock durations in milliseconds, and (when measured) the CPU time the calling
    thread spent in each: in process, with SQLite, that is all the work of a request, and
    unlike wall time it does not grow when other programs take the machine's cores."""

    samples: list[float]
    cpu_samples: list[float] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return percentile(self.samples, 50)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 95)

    @property
    def cpu_p95(self) -> float | None:
        return percentile(self.cpu_samples, 95) if self.cpu_samples else None

    def __str__(self) -> str:
        return f"p50 {self.p50:.2f} ms, p95 {self.p95:.2f} ms (n={len(self.samples)})"


def time_calls(
    calls: dict[str, Callable[[], object]], iterations: int, warmup: int = 5
) -> dict[str, Timings]:
    """Call each function ``iterations`` times, interleaved so machine noise hits all alike."""
    for _ in range(warmup):
        for call in calls.values():
            call()
    samples: dict[str, list[float]] = {name: [] for name in calls}
    cpu: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(iterations):
        for name, call in calls.items():
            start, start_cpu = time.perf_counter(), time.thread_time()
            call()
            samples[name].append((time.perf_counter() - start) * 1000)
            cpu[name].append((time.thread_time() - start_cpu) * 1000)
    return {name: Timings(values, cpu[name]) for name, values in samples.items()}


# --- The server -----------------------------------------------------------------------------------


def free_port() -> int:
    """A port the kernel says is free right now (gunicorn cannot bind port 0 itself)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def check_get(port: int, path: str, headers: dict[str, str], timeout: float = 10.0):
    """One GET: ``(status, headers, body)``."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def _wait_ready(port: int, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {proc.returncode} before answering")
        try:
            status, _headers, _body = check_get(port, "/healthz", {}, timeout=2)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer /healthz within {timeout:.0f} s")


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM the master (it stops its workers), then SIGKILL its process group if needed."""
    if proc.poll() is None:
        proc.terminate()
        with suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=15)
    with suppress(ProcessLookupError, PermissionError):
        # The group holds only this gunicorn's processes: it was started in a new session.
        os.killpg(proc.pid, signal.SIGKILL)
    if proc.poll() is None:
        proc.wait(timeout=5)


@contextmanager
def gunicorn_server(
    *, env: dict[str, str], cwd: Path, workers: int, log_path: Path, attempts: int = 3
) -> Iterator[int]:
    """Run ``gunicorn bridgework.wsgi`` on a free port of 127.0.0.1; yield the port."""
    last_error: Exception | None = None
    for _ in range(attempts):  # another process may grab the port between probe and bind
        port = free_port()
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "bridgework.wsgi",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--no-control-socket",
            "--log-level",
            "warning",
        ]
        with open(log_path, "ab") as log:
            proc = subprocess.Popen(  # noqa: S603  (fixed argv, no shell)
                cmd,
                cwd=cwd,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        try:
            try:
                _wait_ready(port, proc, timeout=60)
            except RuntimeError as exc:
                last_error = exc
                continue
            yield port
            return
        finally:
            _stop(proc)
    raise RuntimeError(f"could not start gunicorn (see {log_path}): {last_error}")


# --- Load ----------------------------------------------------------------------------------------


@dataclass
class Load:
    """The outcome of one fixed-duration load run against one URL."""

    tool: str
    requests: int
    errors: int
    seconds: float
    p50_ms: float | None
    p99_ms: float | None

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def __str__(self) -> str:
        latency = ""
        if self.p50_ms is not None and self.p99_ms is not None:
            latency = f", latency p50 {self.p50_ms:.1f} ms p99 {self.p99_ms:.1f} ms"
        return (
            f"{self.rps:,.0f} req/s ({self.requests} in {self.seconds:.1f} s, "
            f"{self.errors} errors, {self.tool}{latency})"
        )


def wrk_version() -> str | None:
    path = shutil.which("wrk")
    if path is None:
        return None
    try:
        out = subprocess.run(  # noqa: S603
            [path, "--version"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r"wrk\s+(\S+)", out.stdout + out.stderr)
    return match.group(1) if match else "unknown"


def generate_load(
    port: int,
    path: str,
    headers: dict[str, str],
    *,
    seconds: float,
    connections: int,
    use_wrk: bool = True,
) -> Load:
    """GET ``path`` as fast as ``connections`` parallel clients can for ``seconds``."""
    if use_wrk and shutil.which("wrk"):
        return _wrk(port, path, headers, seconds=seconds, connections=connections)
    return _python_load(port, path, headers, seconds=seconds, connections=connections)


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _wrk_ms(text: str, label: str) -> float | None:
    match = re.search(rf"^\s*{re.escape(label)}\s+([\d.]+)(us|ms|s|m)\s*$", text, re.MULTILINE)
    return float(match.group(1)) * _UNITS_MS[match.group(2)] if match else None


def _wrk(
    port: int, path: str, headers: dict[str, str], *, seconds: float, connections: int
) -> Load:
    duration = max(1, round(seconds))
    cmd = [
        shutil.which("wrk") or "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "--latency",
    ]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    cmd.append(f"http://{HOST}:{port}{path}")
    out = subprocess.run(  # noqa: S603
        cmd, capture_output=True, text=True, timeout=duration + 60, check=True
    ).stdout
    done = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)\b", out)
    if done is None:
        raise RuntimeError(f"could not read wrk's output:\n{out}")
    socket_errors = re.findall(r"(?:connect|read|write|timeout) (\d+)", out)
    not_ok = re.search(r"Non-2xx or 3xx responses: (\d+)", out)  # a redirect counts as an error
    errors = sum(map(int, socket_errors)) + (int(not_ok.group(1)) if not_ok else 0)
    return Load(
        tool="wrk",
        requests=int(done.group(1)),
        errors=errors,
        seconds=float(done.group(2)) * _UNITS_MS[done.group(3)] / 1000,
        p50_ms=_wrk_ms(out, "50%"),
        p99_ms=_wrk_ms(out, "99%"),
    )


def _python_load(
    port: int, path: str, headers: dict[str, str], *, seconds: float, connections: int
) -> Load:
    """Threads with keep-alive ``http.client`` connections (they reconnect when told to close)."""
    deadline = time.monotonic() + seconds
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections

    def client(slot: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        try:
            for _ in range(MAX_REQUESTS_PER_CONNECTION):
                if time.monotonic() >= deadline or errors[slot] >= MAX_ERRORS:
                    break
                start = time.perf_counter()
                try:
                    conn.request("GET", path, headers=headers)
                    response = conn.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException):
                    errors[slot] += 1
                    conn.close()
                    continue
                if response.status != 200:
                    errors[slot] += 1
                latencies[slot].append((time.perf_counter() - start) * 1000)
        finally:
            conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 30)
    elapsed = time.monotonic() - started
    merged = [value for values in latencies for value in values]
    return Load(
        tool="python",
        requests=len(merged),
        errors=sum(errors),
        seconds=elapsed,
        p50_ms=percentile(merged, 50) if merged else None,
        p99_ms=percentile(merged, 99) if merged else None,
    )
