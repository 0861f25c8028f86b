"""The data generator: deterministic, believable, consistent, and scaled by size."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from psahub.sandbox.data import generated_actions, parse_size, populate
from psahub.sandbox.instance import Instance

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def _instance(seed: int = 7, tickets: int = 600) -> Instance:
    instance = Instance("gen", "cloud", "gen", seed, NOW)
    populate(instance, tickets)
    return instance


def _snapshot(instance: Instance) -> dict[str, list[dict[str, object]]]:
    return {name: list(table) for name, table in instance.tables.items()}


def test_same_seed_same_data() -> None:
    assert _snapshot(_instance()) == _snapshot(_instance())


def test_other_seed_other_data() -> None:
    first, second = _instance(seed=1), _instance(seed=2)
    assert [t["summary"] for t in first.table("tickets")] != [
        t["summary"] for t in second.table("tickets")
    ]


@pytest.mark.parametrize(
    ("value", "tickets"),
    [
        ("tiny", 40),
        ("small", 3000),
        ("medium", 30000),
        ("large", 200000),
        ("1234", 1234),
        (1_000_000, 1_000_000),
        (" Large ", 200000),
    ],
)
def test_parse_size(value: str | int, tickets: int) -> None:
    assert parse_size(value) == tickets


@pytest.mark.parametrize("value", ["huge", "0", -5, 10_000_000])
def test_parse_size_refuses_nonsense(value: str | int) -> None:
    with pytest.raises(ValueError, match="size must be"):
        parse_size(value)


def test_ticket_count_is_exact_and_everything_else_exists() -> None:
    instance = _instance(tickets=600)
    assert len(instance.table("tickets")) == 600
    for table in (
        "clients",
        "sites",
        "users",
        "contracts",
        "suppliers",
        "items",
        "quotes",
        "invoices",
        "recurring_invoices",
        "licences",
        "assets",
        "asset_types",
        "opportunities",
        "crm_notes",
        "agents",
        "teams",
        "ticket_types",
        "statuses",
        "priorities",
    ):
        assert len(instance.table(table)) > 0, table


def test_references_point_at_existing_records() -> None:
    instance = _instance()
    clients = instance.table("clients").records
    sites = instance.table("sites").records
    items = instance.table("items").records
    agents = instance.directory.agents
    teams = instance.directory.teams
    for ticket in instance.table("tickets"):
        assert ticket["client_id"] in clients
        assert ticket["site_id"] in sites
        assert ticket["agent_id"] in agents
        assert teams[ticket["team_id"]].name == ticket["team"]
        assert teams[ticket["team_id"]].department_id == ticket["department_id"]
        assert ticket["last_update"] >= ticket["dateoccurred"]
        assert ticket["hasbeenclosed"] == (ticket["status_id"] in (8, 9))
    for site in instance.table("sites"):
        assert int(site["client_id"]) in clients
    for table in ("invoices", "recurring_invoices", "quotes"):
        for record in instance.table(table):
            assert record["client_id"] in clients
            assert all(line["item_id"] in items for line in record["lines"])
    for client in clients.values():
        assert client["main_site_id"] in sites


def test_costs_and_prices_are_believable() -> None:
    instance = _instance()
    for item in instance.table("items"):
        assert item["baseprice"] >= item["costprice"] or item["baseprice"] == 0
    suppliers = {s["name"] for s in instance.table("suppliers")}
    assert {"Microsoft", "Huntress", "SentinelOne", "Pax8"} <= suppliers


def test_actions_are_stable_and_numbered_within_their_ticket() -> None:
    instance = _instance()
    ticket = next(iter(instance.table("tickets")))
    first = generated_actions(instance, ticket)
    assert first == generated_actions(instance, ticket)
    assert [a["id"] for a in first] == list(range(1, len(first) + 1))
    assert all(a["datetime"] >= ticket["dateoccurred"] for a in first)


def test_scaling_grows_clients_with_tickets() -> None:
    small, bigger = _instance(tickets=600), _instance(tickets=6000)
    assert len(bigger.table("clients")) > len(small.table("clients"))
