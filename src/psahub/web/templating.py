"""Jinja2 templates with psahub's helpers."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from starlette.responses import Response

from psahub import __version__
from psahub.web.deps import csrf_token

templates = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "—"


def _cell(value: Any, fmt: str | None = None) -> Any:
    """Format one table cell (a filter: far cheaper per cell than a template macro)."""
    if fmt == "state":
        return Markup('<span class="badge state-{0}">{0}</span>').format(value)
    if value is None or value == "":
        return Markup('<span class="muted">\u2014</span>')
    if fmt == "when":
        return _when(value)
    if fmt == "day":
        return value.strftime("%Y-%m-%d")
    if fmt == "money":
        return f"{value:,.2f}"
    if fmt == "count":
        return f"{value:,}"
    return value


def table_body(spec: Any, rows: list[dict[str, Any]], hide: tuple[str, ...] = ()) -> Markup:
    """The ``<tr>`` rows of a data table; the first column is the row's header."""
    columns = [c for c in spec.columns if c.key not in hide]
    if not rows:
        return Markup('<tr><td colspan="{}" class="muted">No records match.</td></tr>').format(
            len(columns)
        )
    out: list[str] = []
    for row in rows:
        cells = []
        for index, column in enumerate(columns):
            value = row.get(column.key)
            shown = escape(_cell(value, column.format))
            if column.key == "client_name" and row.get("client_id") is not None:
                label = shown if value else escape(f"Client {row['client_id']}")
                shown = Markup('<a href="/clients/{}">{}</a>').format(row["client_id"], label)
            opening = '<th scope="row">' if index == 0 else "<td>"
            closing = "</th>" if index == 0 else "</td>"
            cells.append(f"{opening}{shown}{closing}")
        out.append("<tr>" + "".join(cells) + "</tr>")
    return Markup("\n".join(out))


_CLIENT_ROW = Markup(
    '<tr><th scope="row"><a href="/clients/{halo_id}">{name}</a></th>'
    '<td><span class="badge state-{state}">{state}</span></td>'
    "<td>{sites:,}</td><td>{users:,}</td><td>{assets:,}</td>"
    '<td><a href="/data/tickets?client_id={client_id}&amp;status=open">{open_tickets:,}</a></td>'
    "<td>{active_contracts:,}</td><td>{recurring_revenue:,.2f}</td></tr>"
)


def client_rows_body(rows: list[dict[str, Any]]) -> Markup:
    """The ``<tr>`` rows of the clients table (rendered in Python, like the data tables)."""
    if not rows:
        return Markup('<tr><td colspan="8" class="muted">No clients match.</td></tr>')
    return Markup("\n").join(
        _CLIENT_ROW.format(**{**row, "name": row.get("name") or f"Client {row['halo_id']}"})
        for row in rows
    )


templates.env.filters["when"] = _when
templates.env.globals["client_rows_body"] = client_rows_body
templates.env.globals["table_body"] = table_body
templates.env.filters["cell"] = _cell
templates.env.globals["version"] = __version__


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    """Render a template with the request, the CSRF token and the signed-in user."""
    return templates.TemplateResponse(
        request, name, {"csrf": csrf_token(request), **context}, status_code=status_code
    )
