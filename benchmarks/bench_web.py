"""How fast the web app answers with 200,000 tickets mirrored, under 20 concurrent users.

The benchmark mirrors a ``large`` sandbox instance (every entity but ticket actions, which do
not change what the pages query) into SQLite, serves psahub in its own process, signs 20
users in, and has them request the Integrations page and the first page of every table as
fast as they can for a fixed number of rounds. It prints the median and p95 latency per page.
Target (from the issue): every page under 100 ms at the median. Figures are printed, never
asserted.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from benchmarks.harness import bench_settings, connect_with_limit
from psahub.config import Settings
from psahub.halo.budget import RollingWindowBudget
from psahub.runtime import open_runtime
from psahub.sandbox.admin import credentials
from psahub.sandbox.faults import RateLimit
from psahub.sandbox.server import BackgroundSandbox
from psahub.sandbox.world import Sandbox
from psahub.sync.service import plan, sync_integration
from psahub.web.accounts import create_user

SIZE = os.environ.get("PSAHUB_BENCH_WEB_SIZE", "large")
USERS = 20
WORKERS = 2
ROUNDS = 8
TARGET_MS = 100.0
PASSWORD = "benchmark-password"
PAGES = (
    "/integrations",
    "/clients",
    "/data/tickets",
    "/data/assets",
    "/data/contracts",
    "/data/items",
    "/data/invoices",
    "/data/quotes",
    "/data/suppliers",
    "/data/licences",
)
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def build_mirror(folder: Path, console: Console) -> Settings:
    """Mirror a sandbox instance into a SQLite file in ``folder``; return its settings."""
    settings = bench_settings(folder)
    world = Sandbox()
    with console.status(f"generating a {SIZE} sandbox instance..."):
        instance, app = world.create_instance(
            "bench", "cloud", "bench", 1, SIZE, rate_limit=RateLimit(enabled=False)
        )
    runtime = open_runtime(settings)
    with BackgroundSandbox(world) as server:
        budget = RollingWindowBudget()
        integration_id = connect_with_limit(
            runtime, credentials(instance, app, server.url), budget, 1_000_000, 1.0
        )
        started = time.monotonic()
        with console.status("mirroring every entity but ticket actions..."):
            names = [e.name for e in plan() if not e.per_ticket]
            sync_integration(runtime, integration_id, entities=names, budget=budget)
        console.print(f"mirrored in {time.monotonic() - started:.0f} s")
    create_user(runtime, "bench", "bench@msp.example", PASSWORD)
    runtime.close()
    return settings


def serve(settings: Settings, port: int) -> subprocess.Popen[bytes]:
    """Start ``psahub serve`` on the mirror in its own process (runner off)."""
    env = {
        **os.environ,
        "PSAHUB_DATABASE_URL": settings.effective_database_url,
        "PSAHUB_DATA_DIR": str(settings.data_dir),
        "PSAHUB_SECRET_KEYS": ",".join(k.get_secret_value() for k in settings.secret_keys),
        "PSAHUB_LOG_LEVEL": "warning",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "psahub.cli",
            "serve",
            "--port",
            str(port),
            "--no-jobs",
            "--workers",
            str(WORKERS),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("psahub serve did not start")


def signed_in(base: str) -> httpx.Client:
    """A client with a signed-in session."""
    client = httpx.Client(base_url=base, timeout=60)
    page = client.get("/login").text
    match = _CSRF.search(page)
    assert match, "no CSRF token on the login page"
    response = client.post(
        "/login",
        data={"email": "bench@msp.example", "password": PASSWORD, "csrf_token": match.group(1)},
    )
    assert response.status_code in (200, 303), response.text
    return client


def load(base: str) -> dict[str, list[float]]:
    """``USERS`` threads request every page ``ROUNDS`` times; latencies per page in ms."""
    clients = [signed_in(base) for _ in range(USERS)]
    timings: dict[str, list[float]] = {page: [] for page in PAGES}
    lock = threading.Lock()
    start = threading.Barrier(USERS)

    def user(index: int) -> None:
        client = clients[index]
        start.wait()
        for round_no in range(ROUNDS):
            for offset in range(len(PAGES)):
                page = PAGES[(index + round_no + offset) % len(PAGES)]
                began = time.perf_counter()
                response = client.get(page)
                elapsed = (time.perf_counter() - began) * 1000
                assert response.status_code == 200, (page, response.status_code)
                with lock:
                    timings[page].append(elapsed)

    threads = [threading.Thread(target=user, args=(i,)) for i in range(USERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for client in clients:
        client.close()
    return timings


def load_with_wrk(base: str, seconds: int = 10) -> dict[str, list[float]]:
    """Load each page with ``wrk`` (20 connections); its median and p95 latency in ms."""
    client = signed_in(base)
    cookie = client.cookies.get("psahub_session")
    client.close()
    figures: dict[str, list[float]] = {}
    for page in PAGES:
        output = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{USERS}",
                f"-d{seconds}s",
                "--latency",
                "-H",
                f"Cookie: psahub_session={cookie}",
                f"{base}{page}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        latency = dict(re.findall(r"^\s+(50|90|99)%\s+([0-9.]+\w+)$", output, re.MULTILINE))
        requests = re.search(r"(\d+) requests in", output)
        bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
        assert bad is None, f"{page}: {bad.group(1) if bad else 0} failed requests"
        figures[page] = [
            _ms(latency["50"]),
            _ms(latency["90"]),
            float(requests.group(1) if requests else 0),
        ]
    return figures


def _ms(text: str) -> float:
    value = float(re.sub(r"[a-z]+$", "", text))
    unit = re.sub(r"^[0-9.]+", "", text)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def main() -> None:
    """Build the mirror, serve it, load it, print the latencies."""
    console = Console()
    wrk: dict[str, list[float]] = {}
    timings: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        settings = build_mirror(Path(folder), console)
        port = 18_000 + os.getpid() % 1000
        process = serve(settings, port)
        try:
            warm = signed_in(f"http://127.0.0.1:{port}")
            for page in PAGES:
                warm.get(page)
            warm.close()
            if shutil.which("wrk"):
                console.print(f"wrk: {USERS} connections, 10 s per page ...")
                wrk = load_with_wrk(f"http://127.0.0.1:{port}")
            else:
                console.print(f"{USERS} users x {ROUNDS} rounds x {len(PAGES)} pages ...")
                timings = load(f"http://127.0.0.1:{port}")
        finally:
            process.terminate()
            process.wait(timeout=10)
    title = f"Web pages with {SIZE} mirrored, {USERS} concurrent users (SQLite, {WORKERS} workers)"
    if wrk:
        show_wrk(console, title, wrk)
        return
    table = Table(title=title, header_style="bold")
    for column in ("page", "requests", "median ms", "p95 ms", "target"):
        table.add_column(column, justify="right" if column != "page" else "left")
    for page, values in timings.items():
        ordered = sorted(values)
        median = statistics.median(ordered)
        p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
        table.add_row(
            page,
            str(len(values)),
            f"{median:.1f}",
            f"{p95:.1f}",
            "MET" if median < TARGET_MS else "MISSED",
        )
    console.print(table)


def show_wrk(console: Console, title: str, figures: dict[str, list[float]]) -> None:
    """Print wrk's figures per page against the target."""
    table = Table(title=title + " - measured with wrk", header_style="bold")
    for column in ("page", "requests", "req/s", "median ms", "p90 ms", "target"):
        table.add_column(column, justify="right" if column != "page" else "left")
    for page, (median, p90, requests) in figures.items():
        table.add_row(
            page,
            f"{requests:,.0f}",
            f"{requests / 10:,.0f}",
            f"{median:.1f}",
            f"{p90:.1f}",
            "MET" if median < TARGET_MS else "MISSED",
        )
    console.print(table)


if __name__ == "__main__":
    main()
