"""How fast the HaloPSA sandbox generates instances and serves ticket pages.

For each size the benchmark generates an instance (wall time and peak RSS growth), serves it on
127.0.0.1 with rate limiting off, takes a token with plain httpx, pages through every ticket
(``includeclosed=true``, 100 a page) and then fetches random pages of a
``lastupdatefromdate`` query reaching a year back. It collects the server's own handling time
(the ``Server-Timing: app;dur=<ms>`` header) of every full 100-row page, and the time the
client waited for each request.

Targets (from the issue): a full 100-row tickets page takes under 5 ms of server time at the
median whatever the size, and ``large`` (200,000 tickets) generates in under a minute. Figures
are printed, never asserted: this is a benchmark, not a test.
"""

from __future__ import annotations

import gc
import math
import random
import re
import resource
import statistics
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import orjson
from rich.console import Console
from rich.table import Table

from psahub.sandbox.faults import RateLimit
from psahub.sandbox.server import BackgroundSandbox
from psahub.sandbox.world import Sandbox

SIZES = ("small", "large")
PAGE_SIZE = 100
RANDOM_PAGES = 200
SERVER_TARGET_MS = 5.0
GENERATION_TARGET_S = {"large": 60.0}
SEED = 1

_DURATION = re.compile(r"app;dur=([0-9.]+)")


@dataclass
class Result:
    """What one size measured."""

    size: str
    tickets: int = 0
    generation_s: float = 0.0
    rss_growth_mb: float = 0.0
    pages: int = 0
    full_pages: list[float] = field(default_factory=list)
    cold_ms: list[float] = field(default_factory=list)
    client_ms: list[float] = field(default_factory=list)
    counters: dict[str, float] = field(default_factory=dict)

    def median_ms(self) -> float:
        return statistics.median(self.full_pages) if self.full_pages else math.nan

    def p95_ms(self) -> float:
        return _percentile(self.full_pages, 0.95)

    def verdict(self) -> str:
        misses = []
        target = GENERATION_TARGET_S.get(self.size)
        if target is not None and self.generation_s >= target:
            misses.append(f"generation >= {target:g} s")
        if not self.median_ms() < SERVER_TARGET_MS:
            misses.append(f"median >= {SERVER_TARGET_MS:g} ms")
        return "PASS" if not misses else "MISS: " + "; ".join(misses)


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def _peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _server_ms(response: httpx.Response) -> float:
    match = _DURATION.search(response.headers.get("server-timing", ""))
    if match is None:
        raise RuntimeError(f"no Server-Timing header on {response.request.url}")
    return float(match.group(1))


class _Pager:
    """Fetches ticket pages and records the timings into a :class:`Result`."""

    def __init__(self, client: httpx.Client, name: str, token: str, result: Result) -> None:
        self.client = client
        self.path = f"/{name}/api/Tickets"
        self.headers = {"Authorization": f"Bearer {token}"}
        self.result = result

    def page(self, page_no: int, **extra: str) -> dict[str, Any]:
        params = {
            "pageinate": "true",
            "page_size": str(PAGE_SIZE),
            "page_no": str(page_no),
            "includeclosed": "true",
            **extra,
        }
        started = time.perf_counter()
        response = self.client.get(self.path, params=params, headers=self.headers)
        self.result.client_ms.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
        body: dict[str, Any] = orjson.loads(response.content)
        self.result.pages += 1
        if len(body["tickets"]) == PAGE_SIZE:
            self.result.full_pages.append(_server_ms(response))
        return body


def _token(client: httpx.Client, name: str, client_id: str, secret: str) -> str:
    response = client.post(
        f"/{name}/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
            "scope": "all",
        },
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def measure(size: str) -> Result:
    """Generate and serve one instance of ``size`` and time it."""
    result = Result(size)
    name = f"bench-{size}"
    sandbox = Sandbox()
    gc.collect()
    rss_before = _peak_rss_mb()
    started = time.perf_counter()
    instance, application = sandbox.create_instance(
        name, "cloud", None, SEED, size, rate_limit=RateLimit(enabled=False)
    )
    result.generation_s = time.perf_counter() - started
    result.rss_growth_mb = _peak_rss_mb() - rss_before
    result.tickets = len(instance.table("tickets"))
    since = (instance.generated_at - timedelta(days=365)).strftime("%Y-%m-%dT%H:%M:%S")

    with (
        BackgroundSandbox(sandbox) as server,
        httpx.Client(base_url=server.url, timeout=60) as client,
    ):
        token = _token(client, name, application.client_id, application.client_secret)
        pager = _Pager(client, name, token, result)

        # Every ticket, page by page. The first page computes the query (cold).
        first = pager.page(1)
        result.cold_ms.append(result.full_pages[0] if result.full_pages else math.nan)
        for page_no in range(2, math.ceil(first["record_count"] / PAGE_SIZE) + 1):
            pager.page(page_no)

        # Random pages of an incremental query a year back; its first page is cold too.
        mark = len(result.full_pages)
        first = pager.page(1, lastupdatefromdate=since)
        result.cold_ms.append(result.full_pages[mark] if len(result.full_pages) > mark else 0)
        full = max(1, first["record_count"] // PAGE_SIZE)
        rng = random.Random(SEED)
        for _ in range(RANDOM_PAGES):
            pager.page(rng.randint(1, full), lastupdatefromdate=since)

        counters = client.get(f"/_sandbox/instances/{name}/counters").json()
        result.counters = counters.get("server_ms", {})
    sandbox.remove_instance(name)
    return result


def _ms(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.2f}"


def report(results: list[Result], console: Console) -> None:
    """Print the figures as a table."""
    table = Table(title="HaloPSA sandbox: generation and 100-row ticket pages")
    table.add_column("size")
    for heading in (
        "tickets",
        "generation\ns",
        "peak RSS\n+MB",
        "pages",
        "server ms\nmedian",
        "server ms\np95",
        "cold ms\nwalk/filter",
        "client ms\nmedian",
    ):
        table.add_column(heading, justify="right")
    table.add_column("vs target")
    for r in results:
        table.add_row(
            r.size,
            f"{r.tickets:,}",
            f"{r.generation_s:.2f}",
            f"{r.rss_growth_mb:.0f}",
            f"{r.pages:,}",
            _ms(r.median_ms()),
            _ms(r.p95_ms()),
            "/".join(f"{c:.0f}" for c in r.cold_ms),
            _ms(statistics.median(r.client_ms) if r.client_ms else math.nan),
            r.verdict(),
        )
    console.print(table)
    console.print(
        f"Server time is Server-Timing app;dur over full {PAGE_SIZE}-row pages only (the"
        f" median and p95 include both cold pages). Targets: median < {SERVER_TARGET_MS:g} ms;"
        f" large generates in < {GENERATION_TARGET_S['large']:g} s. 'cold' is the server time"
        " of the first page of the full walk / of the lastupdatefromdate query, which builds"
        " the cached result."
    )
    for r in results:
        console.print(
            f"{r.size}: {len(r.full_pages):,} full pages timed; sandbox counters over all"
            f" {r.counters.get('count', 0):,} requests (token included): median"
            f" {r.counters.get('median', 'n/a')} ms, p95 {r.counters.get('p95', 'n/a')} ms,"
            f" max {r.counters.get('max', 'n/a')} ms"
        )


def main() -> None:
    """Measure every size and print the table."""
    console = Console()
    if not console.is_terminal:
        console.width = max(console.width, 120)  # keep the table whole in logs and pipes
    results = []
    for size in SIZES:
        console.print(f"measuring {size} ...")
        results.append(measure(size))
    report(results, console)


if __name__ == "__main__":
    main()
