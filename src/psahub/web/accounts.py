"""Accounts' users: creating them, signing in (argon2, throttled) and API tokens."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import deque
from enum import StrEnum

from pwdlib import PasswordHash
from sqlalchemy import func, select

from psahub.connections import ensure_account
from psahub.runtime import Runtime
from psahub.store.models import ApiToken, User, utcnow

_hasher = PasswordHash.recommended()
MIN_PASSWORD = 10


class Role(StrEnum):
    """What a user may do in their account."""

    OWNER = "owner"
    ADMIN = "admin"
    VIEWER = "viewer"

    @property
    def can_manage(self) -> bool:
        """Owners and admins connect, edit, sync and disconnect integrations."""
        return self is not Role.VIEWER


class AccountError(ValueError):
    """A user or token could not be created; the message says why."""


def has_users(runtime: Runtime) -> bool:
    """Whether anyone can sign in yet (the first run asks for the first owner)."""
    with runtime.sessions() as session:
        return bool(session.scalar(select(func.count()).select_from(User)))


def create_user(
    runtime: Runtime, account_slug: str, email: str, password: str, role: Role = Role.OWNER
) -> int:
    """Create a user in an account (created when new); return the user's id.

    Raises:
        AccountError: for a malformed e-mail, a short password or an e-mail already in use.
    """
    email = email.strip().lower()
    if "@" not in email or "." not in email.split("@")[-1] or " " in email:
        raise AccountError(f"'{email}' is not an e-mail address.")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"The password must have at least {MIN_PASSWORD} characters.")
    with runtime.sessions.begin() as session:
        if session.scalar(select(User.id).where(User.email == email)) is not None:
            raise AccountError(f"There is already a user {email}.")
        account = ensure_account(session, account_slug)
        user = User(
            account_id=account.id,
            email=email,
            password_hash=_hasher.hash(password),
            role=role.value,
        )
        session.add(user)
        session.flush()
        return user.id


def authenticate(runtime: Runtime, email: str, password: str) -> User | None:
    """The user with this e-mail and password, or ``None`` (same time either way)."""
    with runtime.sessions.begin() as session:
        user = session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            _hasher.hash(password)  # spend the same time as a real check
            return None
        if not _hasher.verify(password, user.password_hash):
            return None
        user.last_login_at = utcnow()
        session.expunge(user)
        return user


class LoginThrottle:
    """At most ``attempts`` failed sign-ins per e-mail and per address in ``window`` seconds."""

    def __init__(self, attempts: int = 5, window: float = 300.0) -> None:
        self.attempts = attempts
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def retry_after(self, *keys: str) -> float:
        """Seconds until another attempt is allowed for these keys (0 when allowed now)."""
        now = time.monotonic()
        with self._lock:
            waits = [
                times[0] + self.window - now
                for key in keys
                if len(times := self._recent(key, now)) >= self.attempts
            ]
        return max(waits, default=0.0)

    def failed(self, *keys: str) -> None:
        """Count a failed attempt against each key."""
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, *keys: str) -> None:
        """Forget the failures of these keys."""
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(runtime: Runtime, account_id: int, name: str) -> str:
    """Create an API token for an account; the token is shown once and stored hashed."""
    token = "psh_" + secrets.token_urlsafe(32)
    with runtime.sessions.begin() as session:
        session.add(
            ApiToken(
                account_id=account_id, name=name.strip()[:100] or "token", token_hash=_digest(token)
            )
        )
    return token


def account_of_token(runtime: Runtime, token: str) -> int | None:
    """The account an API token belongs to, or ``None``."""
    with runtime.sessions.begin() as session:
        row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
        if row is None:
            return None
        row.last_used_at = utcnow()
        return row.account_id
