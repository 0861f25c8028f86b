"""How much of HaloPSA's rate limit a sync uses, and whether it ever meets a 429.

The sandbox enforces a rolling window like hosted Halo. psahub is configured with the same
limit and syncs an instance whose work (pages plus one actions request per ticket) needs
several windows. The benchmark prints the requests Halo served, the 429s it sent, and the
share of the allowed rate used: the shortest time in which Halo's window admits that many
requests (a burst of ``limit`` at the start of each window) divided by the time the sync took.
Target (from the issue): no 429 in steady state, and at least 90 % of the allowed rate used.
Windows are scaled down from Halo's 300 per 5 minutes so the run takes seconds, not hours;
the mechanism is the same.
"""

from __future__ import annotations

import math
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.harness import bench_settings, connect_with_limit
from psahub.halo.budget import RollingWindowBudget
from psahub.runtime import open_runtime
from psahub.sandbox.admin import credentials
from psahub.sandbox.faults import RateLimit
from psahub.sandbox.server import BackgroundSandbox
from psahub.sandbox.world import Sandbox
from psahub.sync.service import sync_integration

#: (requests, window seconds, tickets): each scenario needs several windows of work.
SCENARIOS = ((60, 5.0, 150), (100, 5.0, 300), (300, 10.0, 900))
TARGET_SHARE = 0.9


def run_scenario(limit: int, window: float, tickets: int) -> dict[str, float]:
    """Sync one instance under one limit; return what Halo saw."""
    world = Sandbox()
    instance, app = world.create_instance(
        "budget", "cloud", "budget", 1, tickets, rate_limit=RateLimit(limit, window)
    )
    with BackgroundSandbox(world) as server, tempfile.TemporaryDirectory() as folder:
        runtime = open_runtime(bench_settings(Path(folder)))
        budget = RollingWindowBudget()
        integration_id = connect_with_limit(
            runtime, credentials(instance, app, server.url), budget, limit, window
        )
        time.sleep(window)  # start the sync with Halo's window empty
        instance.counters.reset()
        started = time.monotonic()
        report = sync_integration(runtime, integration_id, budget=budget)
        elapsed = time.monotonic() - started
        runtime.close()
    served = instance.counters.to_json()
    requests = served["requests_total"] + served["tokens_issued"]
    bursts = math.ceil(requests / limit)
    return {
        "requests": requests,
        "shortest": (bursts - 1) * window,
        "seconds": elapsed,
        "rate": requests / elapsed,
        "allowed": limit / window,
        "rate_limited": served["rate_limited"],
        "ok": float(report.ok),
    }


def main() -> None:
    """Run every scenario and print the share of the limit used."""
    console = Console()
    table = Table(title="Rate budget: share of HaloPSA's limit a sync uses", header_style="bold")
    columns = ("limit", "requests", "seconds", "shortest possible s", "share", "429s", "target")
    for column in columns:
        table.add_column(column, justify="right")
    for limit, window, tickets in SCENARIOS:
        console.print(f"syncing {tickets} tickets under {limit} requests per {window:g} s ...")
        figures = run_scenario(limit, window, tickets)
        share = figures["shortest"] / figures["seconds"]
        met = share >= TARGET_SHARE and figures["rate_limited"] == 0 and figures["ok"]
        table.add_row(
            f"{limit}/{window:g}s",
            f"{figures['requests']:.0f}",
            f"{figures['seconds']:.1f}",
            f"{figures['shortest']:.1f}",
            f"{share:.1%}",
            f"{figures['rate_limited']:.0f}",
            "MET" if met else "MISSED",
        )
    console.print(table)


if __name__ == "__main__":
    main()
