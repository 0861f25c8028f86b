"""Jinja2 templates with psahub's helpers."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
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


templates.env.filters["when"] = _when
templates.env.filters["cell"] = _cell
templates.env.globals["version"] = __version__


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    """Render a template with the request, the CSRF token and the signed-in user."""
    return templates.TemplateResponse(
        request, name, {"csrf": csrf_token(request), **context}, status_code=status_code
    )
