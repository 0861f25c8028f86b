"""Request dependencies: the runtime, the signed-in user and their account, CSRF."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from psahub.runtime import Runtime
from psahub.store.models import User
from psahub.web.accounts import Role


class NotSignedIn(Exception):
    """The page needs a signed-in user; the app answers with a redirect to the login page."""


def get_runtime(request: Request) -> Runtime:
    """The process's runtime."""
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


@dataclass(frozen=True)
class Viewer:
    """Who is asking: every query is scoped by ``account_id``."""

    user_id: int
    account_id: int
    email: str
    role: Role


def current_viewer(request: Request, runtime: RuntimeDep) -> Viewer:
    """The signed-in user, or :class:`NotSignedIn`."""
    user_id = request.session.get("user_id")
    if not isinstance(user_id, int):
        raise NotSignedIn
    with runtime.sessions() as session:
        user = session.get(User, user_id)
        if user is None:
            request.session.clear()
            raise NotSignedIn
        return Viewer(user.id, user.account_id, user.email, Role(user.role))


ViewerDep = Annotated[Viewer, Depends(current_viewer)]


def manager(viewer: ViewerDep) -> Viewer:
    """The signed-in user, who must be an owner or admin."""
    if not viewer.role.can_manage:
        raise HTTPException(403, "Only the account's owners and admins can do this.")
    return viewer


ManagerDep = Annotated[Viewer, Depends(manager)]


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use)."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return token


async def verify_csrf(request: Request) -> None:
    """Refuse a state-changing request whose CSRF token is missing or wrong."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    expected = request.session.get("csrf")
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not expected or not sent or not secrets.compare_digest(str(expected), sent):
        raise HTTPException(403, "The form expired or did not come from psahub; reload the page.")
