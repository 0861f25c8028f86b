"""Sync throughput: psahub against a dlt ``rest_api`` pipeline and a plain loop, on the same data.

The sandbox runs as a separate process (``psahub sandbox --rate-limit 0``) pinned to one CPU;
every contender runs in a child process of its own pinned to the other CPU, so each gets one
core and its peak RSS (``ru_maxrss``) is its own. Children print their figures as one JSON line.

For each size (20,000 tickets, then ``large`` = 200,000) the benchmark runs:

- a **full sync of every entity except ticket actions** by psahub (``sync_integration``), by dlt
  (``rest_api_source`` with OAuth2 client credentials and page-number paging, loaded into SQLite
  through dlt's ``sqlalchemy`` destination, merge on the primary key) and by a plain loop
  (``httpx`` and ``sqlite3.executemany`` of the raw JSON), ``REPEATS`` times with the contenders
  alternating, the fastest run of each counting (the machine may be busy with other work);
- at 20,000 tickets, the same **with ticket actions** (one ``GET /Actions?ticket_id=N`` per
  ticket) for all three; at 200,000 too when ``PSAHUB_BENCH_LARGE_ACTIONS=1`` (dlt alone needs
  about 20 minutes there), otherwise psahub's pass is estimated from the probe below;
- an **incremental sync** by psahub after 1 % of the tickets changed (``POST
  /_sandbox/instances/demo/mutations``), against the full sync it follows;
- a **probe of psahub's actions pass**: its tickets per second at the start of a pass and with
  90 % of the tickets done, from which the length of a whole pass is estimated.

Requests are counted by the sandbox (its ``requests_total`` counter, reset before each run).
Records are the source records written (dlt's nested child-table rows are not counted).
Targets (from the issue): psahub at least 2x dlt's records per second on the same data;
incremental cost proportional to the change; peak RSS within 30 % between 20,000 and 200,000
tickets. Figures are printed, never asserted.
"""

from __future__ import annotations

import json
import os
import resource
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

import httpx
import orjson
from rich.console import Console
from rich.table import Table

from psahub.halo.entities import ENTITIES, Entity

if TYPE_CHECKING:
    from dlt.sources.rest_api.typing import EndpointResource, RESTAPIConfig

    from psahub.runtime import Runtime

#: (label, ``psahub sandbox --size``, tickets, with the actions runs)
SIZES: tuple[tuple[str, str, int, bool], ...] = (
    ("20k", "20000", 20_000, True),
    ("200k", "large", 200_000, False),
)
#: ``PSAHUB_BENCH_LARGE_ACTIONS=1`` adds the runs with ticket actions at 200,000 tickets (one
#: request per ticket: about half an hour more on 2 cores, most of it dlt's).
LARGE_ACTIONS = os.environ.get("PSAHUB_BENCH_LARGE_ACTIONS") == "1"
#: ``PSAHUB_BENCH_SIZES=200k`` runs only the sizes named (labels, comma-separated).
ONLY_SIZES = {label for label in os.environ.get("PSAHUB_BENCH_SIZES", "").split(",") if label}
PAGE_SIZE = 100
CHANGED_SHARE = 0.01
DLT_TARGET = 2.0
RSS_TARGET = 0.30
#: Tickets read by each half of the actions probe (at most a tenth of the tickets).
PROBE_TICKETS = 2_000
#: dlt write disposition: merge on the primary key is what a mirror does (psahub upserts).
DLT_WRITE_DISPOSITION = "merge"
#: Full syncs without actions run this many times, contenders alternating; the fastest counts.
REPEATS = 2
CHILD_TIMEOUT = 3_600
INSTANCE = "demo"
RESULT_MARK = "BENCH-SYNC-RESULT "

PSAHUB, DLT, PLAIN = "psahub", "dlt rest_api", "plain loop"
_CHILD_KIND = {PSAHUB: "psahub", DLT: "dlt", PLAIN: "plain"}


def _entities(actions: bool) -> list[Entity]:
    return [e for e in ENTITIES if actions or not e.per_ticket]


def _peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpus() -> tuple[int | None, int | None]:
    """The CPU for the sandbox and the one for the client under test (None: do not pin)."""
    if not hasattr(os, "sched_getaffinity"):
        return None, None
    cpus = sorted(os.sched_getaffinity(0))
    return (cpus[0], cpus[1]) if len(cpus) >= 2 else (None, None)


SANDBOX_CPU, CLIENT_CPU = _cpus()


def _pinned(cpu: int | None) -> Callable[[], None] | None:
    if cpu is None:
        return None

    def pin() -> None:
        os.sched_setaffinity(0, {cpu})

    return pin


# -- the sandbox process -------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SandboxProcess:
    """``psahub sandbox`` in a child process, rate limiting off, until the context ends."""

    def __init__(self, size: str, workdir: Path) -> None:
        self.size = size
        self.workdir = workdir
        self.port = _free_port()
        self.root = f"http://127.0.0.1:{self.port}"
        self.admin = f"{self.root}/_sandbox/instances/{INSTANCE}"
        self.credentials: dict[str, str] = {}
        self.token_url = ""
        self._log: IO[bytes] | None = None
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> SandboxProcess:
        credentials_file = self.workdir / f"sandbox-{self.size}.json"
        log_path = self.workdir / f"sandbox-{self.size}.log"
        self._log = log_path.open("wb")
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "psahub.cli",
                "sandbox",
                "--size",
                self.size,
                "--port",
                str(self.port),
                "--rate-limit",
                "0",
                "--credentials-file",
                str(credentials_file),
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=self.workdir,
            preexec_fn=_pinned(SANDBOX_CPU),
        )
        deadline = time.monotonic() + 300
        while True:
            if self._process.poll() is not None:
                raise RuntimeError(f"the sandbox exited: {log_path.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError("the sandbox did not answer within 300 s")
            try:
                info = httpx.get(f"{self.root}/api/authinfo", timeout=2)
                if info.status_code == 200 and credentials_file.exists():
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.credentials = json.loads(credentials_file.read_text())
        tenant = self.credentials.get("tenant", "")
        self.token_url = f"{info.json()['auth_url']}/token" + (
            f"?tenant={tenant}" if tenant else ""
        )
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._log is not None:
            self._log.close()

    def change_tickets(self, count: int) -> int:
        """Have "other users" update ``count`` tickets; returns how many changed."""
        response = httpx.post(
            f"{self.admin}/mutations", json={"entity": "tickets", "update": count}, timeout=120
        )
        response.raise_for_status()
        return len(response.json()["updated"])

    def counts(self) -> dict[str, int]:
        """How many records of each table the instance holds."""
        response = httpx.get(f"{self.root}/_sandbox/instances", timeout=30)
        response.raise_for_status()
        for item in response.json():
            if item["name"] == INSTANCE:
                return {k: int(v) for k, v in item["counts"].items()}
        return {}


# -- child processes -----------------------------------------------------------------------
def _reset_counters(admin: str) -> None:
    httpx.delete(f"{admin}/counters", timeout=30).raise_for_status()


def _requests_counted(admin: str) -> int:
    response = httpx.get(f"{admin}/counters", timeout=30)
    response.raise_for_status()
    return int(response.json()["requests_total"])


def _measured(admin: str, work: Callable[[], Any]) -> tuple[Any, dict[str, float]]:
    """Run ``work`` with the sandbox's counters reset; return its result and the figures."""
    rss_before = _peak_rss_mb()
    _reset_counters(admin)
    started = time.perf_counter()
    outcome = work()
    seconds = time.perf_counter() - started
    peak = _peak_rss_mb()
    figures = {
        "seconds": seconds,
        "rss_before_mb": rss_before,
        "peak_rss_mb": peak,
        "requests": _requests_counted(admin),
    }
    return outcome, figures


def _open_psahub(spec: dict[str, Any]) -> Runtime:
    from benchmarks.harness import bench_settings
    from psahub.runtime import open_runtime

    return open_runtime(bench_settings(Path(spec["dir"]), spec["key"]))


def _psahub_integration(runtime: Runtime, spec: dict[str, Any]) -> int:
    """Connect (first run) or find the stored integration, with psahub's own budget lifted."""
    from sqlalchemy import select

    from benchmarks.harness import connect_with_limit
    from psahub.halo.budget import RollingWindowBudget
    from psahub.store.models import Integration

    if spec.get("connect"):
        # The sandbox does not limit; psahub's own budget must not throttle either.
        return connect_with_limit(
            runtime, spec["credentials"], RollingWindowBudget(), 1_000_000, 1.0
        )
    with runtime.sessions() as session:
        return int(session.scalars(select(Integration.id)).one())


def child_psahub(spec: dict[str, Any]) -> dict[str, Any]:
    """A psahub sync (full or incremental) of the entities, into SQLite."""
    from psahub.halo.budget import RollingWindowBudget
    from psahub.sync.service import sync_integration

    runtime = _open_psahub(spec)
    try:
        integration_id = _psahub_integration(runtime, spec)
        names = [e.name for e in _entities(spec["actions"])]
        report, figures = _measured(
            spec["admin"],
            lambda: sync_integration(
                runtime,
                integration_id,
                full=spec["full"],
                entities=names,
                budget=RollingWindowBudget(),
            ),
        )
    finally:
        runtime.close()
    entities: dict[str, dict[str, Any]] = {}
    for item in report.results:
        counts = item.counts
        entities[item.entity] = {
            "records": counts.get("added", 0)
            + counts.get("updated", 0)
            + counts.get("unchanged", 0),
            "written": counts.get("added", 0) + counts.get("updated", 0),
            "requests": counts.get("requests", counts.get("tickets", 0)),
            "status": item.status,
        }
    return {
        **figures,
        "records": sum(e["records"] for e in entities.values()),
        "written": sum(e["written"] for e in entities.values()),
        "entities": entities,
        "failed": [n for n, e in entities.items() if e["status"] == "failed"],
    }


def child_probe(spec: dict[str, Any]) -> dict[str, Any]:
    """psahub's actions pass at its start, and again with 90 % of the tickets done.

    Runs on the database of a full sync without actions. The second half marks every ticket
    but the oldest tenth as read (the pass goes newest first), as a pass 90 % through would.
    """
    from sqlalchemy import select, update

    from psahub.halo.budget import RollingWindowBudget
    from psahub.store.models import Integration, MirrorRecord
    from psahub.sync.actions import sync_actions
    from psahub.sync.service import make_client

    runtime = _open_psahub(spec)
    tickets, probe = int(spec["tickets"]), int(spec["probe"])
    result: dict[str, Any] = {}
    try:
        integration_id = _psahub_integration(runtime, spec)
        with runtime.sessions.begin() as session:
            integration = session.get(Integration, integration_id)
            assert integration is not None
            account_id = integration.account_id
            client = make_client(runtime, integration, budget=RollingWindowBudget())
        with client:
            for label in ("start", "late"):
                if label == "late":
                    oldest = (
                        select(MirrorRecord.id)
                        .where(
                            MirrorRecord.integration_id == integration_id,
                            MirrorRecord.entity == "tickets",
                        )
                        .order_by(MirrorRecord.changed_at.asc(), MirrorRecord.id.asc())
                        .limit(tickets // 10)
                    )
                    with runtime.sessions.begin() as session:
                        session.execute(
                            update(MirrorRecord)
                            .where(
                                MirrorRecord.integration_id == integration_id,
                                MirrorRecord.entity == "tickets",
                                MirrorRecord.id.not_in(oldest),
                            )
                            .values(actions_synced_for=MirrorRecord.content_hash)
                            .execution_options(synchronize_session=False)
                        )
                outcome, figures = _measured(
                    spec["admin"],
                    lambda: sync_actions(
                        runtime.sessions, account_id, integration_id, client, max_tickets=probe
                    ),
                )
                read = int(outcome.counts["tickets"])
                result[label] = {**figures, "tickets": read, "status": outcome.status}
    finally:
        runtime.close()
    return result


def _dlt_resource(entity: Entity) -> dict[str, Any]:
    params: dict[str, Any] = dict(entity.params)
    endpoint: dict[str, Any] = {
        "path": entity.path,
        "params": params,
        "data_selector": entity.key or "$",
    }
    if entity.paged:
        params.update(pageinate="true", page_size=PAGE_SIZE)
        endpoint["paginator"] = {
            "type": "page_number",
            "page_param": "page_no",
            "base_page": 1,
            "total_path": None,
            "stop_after_empty_page": True,
        }
    else:
        endpoint["paginator"] = "single_page"
    return {"name": entity.name, "endpoint": endpoint, "primary_key": list(entity.primary_key)}


def dlt_config(spec: dict[str, Any]) -> RESTAPIConfig:
    """The ``rest_api`` configuration reading the same entities, with the same parameters."""
    from dlt.sources.helpers.rest_client.auth import OAuth2ClientCredentials

    credentials = spec["credentials"]
    resources = [_dlt_resource(e) for e in _entities(False)]
    if spec["actions"]:
        actions = next(e for e in ENTITIES if e.per_ticket)
        resources.append(
            {
                "name": actions.name,
                "endpoint": {
                    "path": actions.path,
                    "params": {"ticket_id": "{resources.tickets.id}"},
                    "data_selector": actions.key,
                    "paginator": "single_page",
                },
                "primary_key": list(actions.primary_key),
            }
        )
    config = {
        "client": {
            "base_url": credentials["api_url"].rstrip("/") + "/",
            "auth": OAuth2ClientCredentials(
                access_token_url=spec["token_url"],
                client_id=credentials["client_id"],
                client_secret=credentials["client_secret"],
                access_token_request_data={"scope": "all"},
            ),
        },
        "resource_defaults": {"write_disposition": DLT_WRITE_DISPOSITION},
        "resources": cast("list[str | EndpointResource]", resources),
    }
    return cast("RESTAPIConfig", config)


def child_dlt(spec: dict[str, Any]) -> dict[str, Any]:
    """The same entities through a dlt ``rest_api`` pipeline into SQLite (sqlalchemy)."""
    workdir = Path(spec["dir"])
    os.environ["RUNTIME__DLTHUB_TELEMETRY"] = "false"
    os.environ["DLT_DATA_DIR"] = str(workdir / "dlt-data")
    # SQLite takes one writer: parallel load jobs only fight over the lock ("database is locked").
    os.environ.setdefault("LOAD__WORKERS", "1")
    import dlt
    from dlt.sources.rest_api import rest_api_source

    pipeline = dlt.pipeline(
        pipeline_name="halo_bench",
        pipelines_dir=str(workdir / "dlt-pipelines"),
        destination=dlt.destinations.sqlalchemy(credentials=f"sqlite:///{workdir / 'dlt.db'}"),
        dataset_name="halo",
    )
    source = rest_api_source(dlt_config(spec), name="halo")
    info, figures = _measured(spec["admin"], lambda: pipeline.run(source))
    info.raise_on_failed_jobs()
    trace = pipeline.last_trace
    normalized = trace.last_normalize_info if trace else None
    row_counts: dict[str, int] = dict(normalized.row_counts) if normalized else {}
    names = {e.name for e in _entities(spec["actions"])}
    entities = {n: {"records": c} for n, c in row_counts.items() if n in names}
    nested = sum(c for n, c in row_counts.items() if n not in names and not n.startswith("_dlt"))
    records = sum(e["records"] for e in entities.values())
    return {
        **figures,
        "records": records,
        "written": records,
        "nested": nested,
        "entities": entities,
    }


def _plain_pages(
    client: httpx.Client, api: str, entity: Entity, headers: dict[str, str]
) -> Iterator[list[dict[str, Any]]]:
    params: dict[str, Any] = dict(entity.params)
    page_no = 1
    while True:
        if entity.paged:
            params.update(pageinate="true", page_size=PAGE_SIZE, page_no=page_no)
        response = client.get(f"{api}/{entity.path}", params=params, headers=headers)
        response.raise_for_status()
        body = orjson.loads(response.content)
        rows: list[dict[str, Any]] = body if isinstance(body, list) else body[entity.key]
        yield rows
        if not entity.paged or len(rows) < PAGE_SIZE:
            return
        page_no += 1


def child_plain(spec: dict[str, Any]) -> dict[str, Any]:
    """The same entities with plain httpx, stored as raw JSON with sqlite3 executemany."""
    credentials = spec["credentials"]
    api = credentials["api_url"].rstrip("/")
    db = sqlite3.connect(Path(spec["dir"]) / "plain.db")
    db.execute("PRAGMA journal_mode=WAL")  # the pragmas psahub's engine sets
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(
        "CREATE TABLE records (entity TEXT NOT NULL, id TEXT NOT NULL, raw TEXT NOT NULL,"
        " PRIMARY KEY (entity, id))"
    )
    insert = "INSERT OR REPLACE INTO records (entity, id, raw) VALUES (?, ?, ?)"

    def store(entity: Entity, rows: list[dict[str, Any]]) -> None:
        keys = entity.primary_key
        db.executemany(
            insert,
            [
                (entity.name, ":".join(str(r.get(k)) for k in keys), orjson.dumps(r).decode())
                for r in rows
            ],
        )
        db.commit()

    def work() -> None:
        with httpx.Client(timeout=60) as client:
            token = client.post(
                spec["token_url"],
                data={
                    "grant_type": "client_credentials",
                    "client_id": credentials["client_id"],
                    "client_secret": credentials["client_secret"],
                    "scope": "all",
                },
            )
            token.raise_for_status()
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            ticket_ids: list[Any] = []
            for entity in _entities(False):
                for rows in _plain_pages(client, api, entity, headers):
                    store(entity, rows)
                    if entity.name == "tickets":
                        ticket_ids.extend(r["id"] for r in rows)
            if spec["actions"]:
                actions = next(e for e in ENTITIES if e.per_ticket)
                for ticket_id in ticket_ids:
                    response = client.get(
                        f"{api}/{actions.path}", params={"ticket_id": ticket_id}, headers=headers
                    )
                    response.raise_for_status()
                    store(actions, orjson.loads(response.content)[actions.key])

    _, figures = _measured(spec["admin"], work)
    entities = {
        name: {"records": count}
        for name, count in db.execute("SELECT entity, count(*) FROM records GROUP BY entity")
    }
    db.close()
    records = sum(e["records"] for e in entities.values())
    return {**figures, "records": records, "written": records, "entities": entities}


CHILDREN: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "psahub": child_psahub,
    "probe": child_probe,
    "dlt": child_dlt,
    "plain": child_plain,
}


def child_main(argv: list[str]) -> None:
    """Entry point of a child process: ``bench_sync.py KIND SPEC_JSON``; prints its figures."""
    kind, spec = argv[0], json.loads(argv[1])
    print(RESULT_MARK + json.dumps(CHILDREN[kind](spec)), flush=True)


# -- the parent: runs and tables -----------------------------------------------------------
@dataclass
class Run:
    """What one child process measured."""

    contender: str
    size: str
    actions: bool
    kind: str = "full"
    records: int = 0
    written: int = 0
    requests: int = 0
    seconds: float = 0.0
    rss_before_mb: float = 0.0
    peak_rss_mb: float = 0.0
    nested: int = 0
    entities: dict[str, dict[str, Any]] = field(default_factory=dict)
    error: str = ""

    @property
    def rate(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


@dataclass
class Incremental:
    """A psahub incremental sync after some tickets changed, and the full sync before it."""

    size: str
    actions: bool
    changed: int
    run: Run
    full: Run


@dataclass
class Probe:
    """psahub's actions pass, tickets per second at its start and 90 % through."""

    size: str
    tickets: int
    start_rate: float
    late_rate: float
    measured_s: float | None = None

    @property
    def estimate_s(self) -> float:
        """A whole pass, taking the cost per ticket to move linearly with the tickets done."""
        start, late = 1 / self.start_rate, 1 / self.late_rate
        return self.tickets * (start + (late - start) / 0.9 / 2)


@dataclass
class Bench:
    """Everything measured, and where children keep their files."""

    workdir: Path
    key: str
    console: Console
    runs: list[Run] = field(default_factory=list)
    incrementals: list[Incremental] = field(default_factory=list)
    probes: list[Probe] = field(default_factory=list)

    def child(self, kind: str, spec: dict[str, Any]) -> dict[str, Any]:
        """Run a child process and return its figures."""
        done = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), kind, json.dumps(spec)],
            capture_output=True,
            text=True,
            cwd=self.workdir,
            env={**os.environ, "RUNTIME__DLTHUB_TELEMETRY": "false"},
            preexec_fn=_pinned(CLIENT_CPU),
            timeout=CHILD_TIMEOUT,
            check=False,
        )
        for line in reversed(done.stdout.splitlines()):
            if line.startswith(RESULT_MARK):
                result: dict[str, Any] = json.loads(line[len(RESULT_MARK) :])
                return result
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise RuntimeError(f"{kind} exited {done.returncode}: " + " | ".join(tail))

    def run(
        self,
        contender: str,
        sandbox: SandboxProcess,
        size: str,
        *,
        actions: bool,
        db: str = "",
        full: bool = True,
        repeat: int = 0,
    ) -> Run:
        """Run one contender in its own process and print its line."""
        kind = "full" if full else "incremental"
        what = f"{contender}, {kind}, {size}, {'with' if actions else 'without'} actions"
        self.console.print(f"  {what} ...")
        name = db or f"{kind}{'-actions' if actions else ''}{f'-{repeat}' if repeat else ''}"
        directory = self.workdir / f"{size}-{_CHILD_KIND[contender]}-{name}"
        directory.mkdir(exist_ok=True)
        spec = {
            "dir": str(directory),
            "key": self.key,
            "admin": sandbox.admin,
            "credentials": sandbox.credentials,
            "token_url": sandbox.token_url,
            "actions": actions,
            "full": full,
            "connect": full,
        }
        run = Run(contender, size, actions, kind)
        try:
            result = self.child(_CHILD_KIND[contender], spec)
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            run.error = str(error)
            self.console.print(f"    [red]failed:[/] {run.error}")
            return run
        for name in (
            "records",
            "written",
            "requests",
            "seconds",
            "rss_before_mb",
            "peak_rss_mb",
            "nested",
        ):
            if name in result:
                setattr(run, name, result[name])
        run.entities = result.get("entities", {})
        if result.get("failed"):
            run.error = f"entities failed: {', '.join(result['failed'])}"
        self.console.print(
            f"    {run.records:,} records, {run.requests:,} requests in {run.seconds:.1f} s"
            f" ({run.rate:,.0f} records/s), peak RSS {run.peak_rss_mb:.0f} MB"
            + (f" [red]{run.error}[/]" if run.error else "")
        )
        if full:
            self.runs.append(run)
        return run

    def probe(self, sandbox: SandboxProcess, size: str, tickets: int, db: str) -> Probe | None:
        """The actions-pass probe on the database of an earlier full sync without actions."""
        probe = min(PROBE_TICKETS, tickets // 10)
        self.console.print(f"  psahub actions pass probe, {size}: {probe:,} tickets twice ...")
        spec = {
            "dir": str(self.workdir / f"{size}-psahub-{db}"),
            "key": self.key,
            "admin": sandbox.admin,
            "tickets": tickets,
            "probe": probe,
        }
        try:
            result = self.child("probe", spec)
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            self.console.print(f"    [red]failed:[/] {error}")
            return None
        start, late = result["start"], result["late"]
        found = Probe(
            size,
            tickets,
            start["tickets"] / start["seconds"],
            late["tickets"] / late["seconds"],
        )
        self.console.print(
            f"    {found.start_rate:,.0f} tickets/s at the start, {found.late_rate:,.0f}"
            f" tickets/s 90 % through; a whole pass would take about {found.estimate_s:,.0f} s"
        )
        self.probes.append(found)
        return found


def measure_size(bench: Bench, label: str, size: str, tickets: int, with_actions: bool) -> None:
    """Every run of one instance size, against one sandbox process."""
    console = bench.console
    console.print(f"[bold]{label}[/]: starting the sandbox (--size {size}) ...")
    started = time.perf_counter()
    with SandboxProcess(size, bench.workdir) as sandbox:
        counts = sandbox.counts()
        ready = time.perf_counter() - started
        console.print(
            f"  sandbox ready in {ready:.1f} s: {counts.get('tickets', 0):,} tickets,"
            f" {counts.get('clients', 0):,} clients, {counts.get('assets', 0):,} assets"
        )
        for repeat in range(REPEATS):
            db = f"a{repeat}" if repeat else "a"
            bench.run(PSAHUB, sandbox, label, actions=False, db=db)
            bench.run(DLT, sandbox, label, actions=False, repeat=repeat)
            bench.run(PLAIN, sandbox, label, actions=False, repeat=repeat)
        base = best_runs(bench.runs).get((PSAHUB, label, False))
        full_actions = None
        if with_actions:
            full_actions = bench.run(PSAHUB, sandbox, label, actions=True, db="b")
            bench.run(DLT, sandbox, label, actions=True)
            bench.run(PLAIN, sandbox, label, actions=True)
        wanted = max(1, round(tickets * CHANGED_SHARE))
        changed = sandbox.change_tickets(wanted)
        console.print(f"  {changed:,} tickets changed through the admin API")
        incremental = bench.run(PSAHUB, sandbox, label, actions=False, db="a", full=False)
        if base is not None:
            bench.incrementals.append(Incremental(label, False, changed, incremental, base))
        if full_actions is not None:
            incremental = bench.run(PSAHUB, sandbox, label, actions=True, db="b", full=False)
            bench.incrementals.append(Incremental(label, True, changed, incremental, full_actions))
        probe = bench.probe(sandbox, label, tickets, "a")
        if probe and base and full_actions and not full_actions.error:
            probe.measured_s = full_actions.seconds - base.seconds


# -- reporting -----------------------------------------------------------------------------
def _table(title: str, headings: list[str], left: int = 1) -> Table:
    table = Table(title=title)
    for i, heading in enumerate(headings):
        table.add_column(heading, justify="left" if i < left else "right")
    return table


def best_runs(runs: list[Run]) -> dict[tuple[str, str, bool], Run]:
    """The fastest successful run of each (contender, size, actions), in first-run order."""
    best: dict[tuple[str, str, bool], Run] = {}
    for run in runs:
        key = (run.contender, run.size, run.actions)
        if not run.error and (key not in best or run.seconds < best[key].seconds):
            best[key] = run
    return best


def _each_run(runs: list[Run], best: Run) -> str:
    same = [
        r
        for r in runs
        if (r.contender, r.size, r.actions) == (best.contender, best.size, best.actions)
    ]
    return " / ".join(f"{r.seconds:.1f}" if not r.error else "failed" for r in same)


def _verdict(ok: bool, detail: str) -> str:
    return ("[green]met[/] " if ok else "[red]missed[/] ") + detail


def report_full(bench: Bench) -> None:
    """The full-sync table, and whether the contenders wrote the same records."""
    table = _table(
        "Full sync into SQLite (all entities; 'actions' adds one request per ticket)",
        [
            "contender",
            "size",
            "actions",
            "records",
            "requests",
            "seconds\n(best)",
            "each run\ns",
            "records/s",
            "vs dlt",
            "peak RSS\nMB",
            "RSS before\nMB",
            "vs target",
        ],
        left=3,
    )
    best = best_runs(bench.runs)
    failed = [r for r in bench.runs if r.error and (r.contender, r.size, r.actions) not in best]
    for run in [*best.values(), *failed]:
        dlt = best.get((DLT, run.size, run.actions))
        ratio = run.rate / dlt.rate if dlt and dlt.rate and not run.error else 0.0
        verdict = ""
        if run.contender == PSAHUB and ratio:
            verdict = _verdict(ratio >= DLT_TARGET, f">= {DLT_TARGET:g}x dlt")
        table.add_row(
            run.contender,
            run.size,
            "yes" if run.actions else "no",
            f"{run.records:,}",
            f"{run.requests:,}",
            f"{run.seconds:.1f}",
            _each_run(bench.runs, run),
            f"{run.rate:,.0f}",
            f"{ratio:.2f}x" if ratio else "-",
            f"{run.peak_rss_mb:.0f}",
            f"{run.rss_before_mb:.0f}",
            verdict or ("[red]failed[/]" if run.error else ""),
        )
    bench.console.print(table)
    nested = [r for r in best.values() if r.nested]
    for run in nested:
        bench.console.print(
            f"dlt {run.size}{' with actions' if run.actions else ''} also wrote {run.nested:,}"
            " rows of nested child tables (invoice lines, agents' teams ...), not counted above."
        )
    groups: dict[tuple[str, bool], list[Run]] = {}
    for run in best.values():
        groups.setdefault((run.size, run.actions), []).append(run)
    for (size, actions), runs in groups.items():
        per_entity = {
            r.contender: {n: int(e["records"]) for n, e in r.entities.items()} for r in runs
        }
        reference = per_entity.get(PSAHUB, {})
        differences = [
            f"{c} {n}: {v:,} vs psahub {reference.get(n, 0):,}"
            for c, counts in per_entity.items()
            for n, v in counts.items()
            if c != PSAHUB and v != reference.get(n, 0)
        ]
        where = f"{size} {'with' if actions else 'without'} actions"
        if differences:
            bench.console.print(
                f"[yellow]{where}: record counts differ:[/] " + "; ".join(differences)
            )
        else:
            bench.console.print(f"{where}: every contender wrote the same records per entity.")


def report_incremental(bench: Bench) -> None:
    """The incremental syncs against the full syncs before them."""
    fixed = {e.name for e in ENTITIES if e.incremental is None and not e.per_ticket}
    table = _table(
        f"psahub incremental sync after {CHANGED_SHARE:.0%} of the tickets changed",
        [
            "size",
            "actions",
            "tickets\nchanged",
            "records\nwritten",
            "requests",
            "of which\nfull re-reads",
            "full sync\nrequests",
            "requests\nvs full",
            "the rest\nvs full",
            "seconds",
            "full sync\nseconds",
            "time\nvs full",
        ],
        left=2,
    )
    for item in bench.incrementals:
        run, full = item.run, item.full
        rereads = run_requests(run, fixed)
        driven = run_requests(run, fixed, exclude=True)
        full_driven = run_requests(full, fixed, exclude=True)
        table.add_row(
            item.size,
            "yes" if item.actions else "no",
            f"{item.changed:,}",
            f"{run.written:,}",
            f"{run.requests:,}",
            f"{rereads:,}",
            f"{full.requests:,}",
            f"{run.requests / full.requests:.1%}" if full.requests else "-",
            f"{driven / full_driven:.1%}" if full_driven else "-",
            f"{run.seconds:.1f}",
            f"{full.seconds:.1f}",
            f"{run.seconds / full.seconds:.1%}" if full.seconds else "-",
        )
    bench.console.print(table)
    bench.console.print(
        "'full re-reads' are requests for entities Halo offers no modified-since filter for ("
        + ", ".join(sorted(fixed))
        + "): read in full by every sync, whatever changed. 'the rest vs full' compares the"
        " other requests (modified-since pages, actions) with the same entities' requests in"
        " the full sync. 'records written' counts inserts and updates (unchanged records are"
        " compared by hash and skipped)."
    )


def run_requests(run: Run, names: set[str], *, exclude: bool = False) -> int:
    """psahub's own request count over the named entities (or over all the others)."""
    return sum(int(e["requests"]) for n, e in run.entities.items() if (n in names) != exclude)


def report_rss(bench: Bench) -> None:
    """Peak RSS of the full syncs without actions, smallest against largest size."""
    sizes = [label for label, *_ in SIZES]
    small, large = sizes[0], sizes[-1]
    table = _table(
        f"Peak RSS of a full sync without actions (highest of the runs), {small} vs {large}",
        ["contender", f"{small}\nMB", f"{large}\nMB", "growth", "vs target"],
    )
    for contender in (PSAHUB, DLT, PLAIN):
        peaks: dict[str, float] = {}
        for run in bench.runs:
            if run.contender == contender and not run.actions and not run.error:
                peaks[run.size] = max(peaks.get(run.size, 0.0), run.peak_rss_mb)
        if small not in peaks or large not in peaks:
            continue
        before, after = peaks[small], peaks[large]
        growth = after / before - 1
        verdict = (
            _verdict(growth <= RSS_TARGET, f"<= {RSS_TARGET:.0%}") if contender == PSAHUB else ""
        )
        table.add_row(contender, f"{before:.0f}", f"{after:.0f}", f"{growth:+.0%}", verdict)
    bench.console.print(table)


def report_probes(bench: Bench) -> None:
    """psahub's actions pass: how it slows down as it goes, and how long a whole one takes."""
    table = _table(
        "psahub actions pass: tickets per second at the start and 90 % through",
        [
            "size",
            "tickets",
            "at start\ntickets/s",
            "90 % through\ntickets/s",
            "whole pass\nestimate s",
            "measured s",
        ],
    )
    for probe in bench.probes:
        table.add_row(
            probe.size,
            f"{probe.tickets:,}",
            f"{probe.start_rate:,.0f}",
            f"{probe.late_rate:,.0f}",
            f"{probe.estimate_s:,.0f}",
            f"{probe.measured_s:,.0f}" if probe.measured_s is not None else "not run",
        )
    bench.console.print(table)
    bench.console.print(
        "Estimate: tickets x the mean cost per ticket, taking that cost to move linearly from"
        " the start to the 90 % point (as it does when each batch re-reads the tickets done)."
        " 'measured' is psahub's full sync with actions minus the one without."
    )


def _load() -> str:
    if not hasattr(os, "getloadavg"):
        return "n/a"
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    """Run every size and print the tables."""
    from psahub.security.secrets import generate_key

    console = Console()
    if not console.is_terminal:
        console.width = max(console.width, 140)  # keep the tables whole in logs and pipes
    pinning = (
        f"sandbox on CPU {SANDBOX_CPU}, contenders on CPU {CLIENT_CPU}"
        if CLIENT_CPU is not None
        else "fewer than 2 CPUs: nothing pinned"
    )
    console.print(f"Sync throughput, {pinning}; dlt write disposition {DLT_WRITE_DISPOSITION!r}")
    console.print(f"load average at the start: {_load()}")
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as workdir:
        bench = Bench(Path(workdir), generate_key(), console)
        for label, size, tickets, with_actions in SIZES:
            if ONLY_SIZES and label not in ONLY_SIZES:
                continue
            with_actions = with_actions or (LARGE_ACTIONS and tickets >= 200_000)
            measure_size(bench, label, size, tickets, with_actions)
        report_full(bench)
        report_incremental(bench)
        report_rss(bench)
        report_probes(bench)
    console.print(f"load average at the end: {_load()} (anything else running skews the figures)")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        # A child runs this file as a script: make ``benchmarks`` importable as a package.
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        child_main(sys.argv[1:])
    else:
        main()
