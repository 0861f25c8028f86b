"""Run every benchmark in turn: ``make bench`` or ``python benchmarks/run.py [name ...]``.

Each benchmark is a module in this folder with a ``main()``; add new ones to ``BENCHMARKS``.
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

from rich.console import Console

#: Benchmark modules in ``benchmarks/``, run in this order, with a heading for each.
BENCHMARKS = {
    "bench_sandbox": "HaloPSA sandbox",
    "bench_sync": "Sync throughput",
    "bench_budget": "Rate budget",
    "bench_web": "Web pages under load",
}

ROOT = Path(__file__).resolve().parent.parent


def run(names: list[str]) -> None:
    """Import and run the ``main()`` of each named benchmark module."""
    if str(ROOT) not in sys.path:
        # Run as a script, so the repository root (holding ``benchmarks``) is not importable.
        sys.path.insert(0, str(ROOT))
    console = Console()
    if not console.is_terminal:
        console.width = max(console.width, 120)
    for name in names:
        console.rule(f"[bold]{BENCHMARKS.get(name, name)}[/] ({name})")
        started = time.perf_counter()
        importlib.import_module(f"benchmarks.{name}").main()
        console.print(f"[dim]{name} took {time.perf_counter() - started:.1f} s[/]")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks named on the command line, or all of them."""
    names = list(sys.argv[1:] if argv is None else argv) or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
        return 2
    run(names)
    return 0


if __name__ == "__main__":
    sys.exit(main())
