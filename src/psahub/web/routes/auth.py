"""Signing in and out, and creating the first owner on an empty database."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from psahub.connections import DEFAULT_ACCOUNT
from psahub.web.accounts import (
    AccountError,
    LoginThrottle,
    Role,
    authenticate,
    create_user,
    has_users,
)
from psahub.web.deps import RuntimeDep, verify_csrf
from psahub.web.templating import render

router = APIRouter(tags=["sign-in"])


def _throttle(request: Request) -> LoginThrottle:
    throttle: LoginThrottle = request.app.state.login_throttle
    return throttle


def _safe_next(target: str | None) -> str:
    if (
        not target
        or urlsplit(target).netloc
        or not target.startswith("/")
        or target.startswith("//")
    ):
        return "/integrations"
    return target


@router.get("/login")
def login_page(request: Request, runtime: RuntimeDep, next: str | None = None) -> Response:
    """The sign-in form (or the first-owner form when nobody can sign in yet)."""
    if not has_users(runtime):
        return RedirectResponse("/setup", 303)
    return render(request, "login.html", next=_safe_next(next), error=None, email="")


@router.post("/login", dependencies=[Depends(verify_csrf)])
def login(
    request: Request,
    runtime: RuntimeDep,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/integrations",
) -> Response:
    """Check the password; throttled per e-mail and per address."""
    keys = (f"email:{email.strip().lower()}", f"ip:{request.client.host if request.client else ''}")
    throttle = _throttle(request)
    wait = throttle.retry_after(*keys)
    if wait > 0:
        message = f"Too many failed attempts. Try again in {int(wait) + 1} seconds."
        return render(request, "login.html", 429, next=next, error=message, email=email)
    user = authenticate(runtime, email, password)
    if user is None:
        throttle.failed(*keys)
        return render(
            request,
            "login.html",
            401,
            next=next,
            email=email,
            error="That e-mail and password do not match.",
        )
    throttle.succeeded(*keys)
    request.session.clear()
    request.session["user_id"] = user.id
    return RedirectResponse(_safe_next(next), 303)


@router.post("/logout", dependencies=[Depends(verify_csrf)])
def logout(request: Request) -> Response:
    """Sign out."""
    request.session.clear()
    return RedirectResponse("/login", 303)


@router.get("/setup")
def setup_page(request: Request, runtime: RuntimeDep) -> Response:
    """The first run: create the account's first owner."""
    if has_users(runtime):
        return RedirectResponse("/login", 303)
    return render(request, "setup.html", error=None, email="")


@router.post("/setup", dependencies=[Depends(verify_csrf)])
def setup(
    request: Request,
    runtime: RuntimeDep,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> Response:
    """Create the first owner and sign them in; refused once anyone exists."""
    if has_users(runtime):
        return RedirectResponse("/login", 303)
    try:
        user_id = create_user(runtime, DEFAULT_ACCOUNT, email, password, Role.OWNER)
    except AccountError as error:
        return render(request, "setup.html", 422, error=str(error), email=email)
    request.session.clear()
    request.session["user_id"] = user_id
    return RedirectResponse("/integrations", 303)
