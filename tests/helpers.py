"""Test helpers: a plain-httpx view of a sandbox instance, as any HaloPSA client sees it."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import httpx

_names = itertools.count(1)


def unique_name(prefix: str = "t") -> str:
    """A fresh instance name for one test."""
    return f"{prefix}{next(_names)}"


@dataclass
class HaloInstance:
    """One sandbox instance reached over HTTP: its Connect-form values and an admin client."""

    root: str
    name: str
    credentials: dict[str, str]
    admin: httpx.Client
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30))
    _token: str | None = None

    @property
    def api(self) -> str:
        return f"{self.root}/{self.name}/api"

    @property
    def token_url(self) -> str:
        return f"{self.root}/{self.name}/auth/token"

    def request_token(self, scope: str = "all", **overrides: str) -> httpx.Response:
        form = {
            "grant_type": "client_credentials",
            "client_id": self.credentials["client_id"],
            "client_secret": self.credentials["client_secret"],
            "scope": scope,
            **overrides,
        }
        return self.http.post(self.token_url, data=form)

    def token(self, scope: str = "all") -> str:
        response = self.request_token(scope)
        assert response.status_code == 200, response.text
        self._token = response.json()["access_token"]
        return self._token

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token or self.token()}"}

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.http.get(f"{self.api}/{path}", params=params, headers=self.headers())

    def post(self, path: str, body: Any) -> httpx.Response:
        return self.http.post(f"{self.api}/{path}", json=body, headers=self.headers())

    def delete(self, path: str) -> httpx.Response:
        return self.http.delete(f"{self.api}/{path}", headers=self.headers())

    def all_pages(self, path: str, key: str, **params: Any) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        page = 1
        while True:
            response = self.get(path, pageinate="true", page_size=100, page_no=page, **params)
            assert response.status_code == 200, response.text
            chunk = response.json()[key]
            rows.extend(chunk)
            if len(chunk) < 100:
                return rows
            page += 1

    # -- admin API -------------------------------------------------------------------------
    def admin_path(self, suffix: str = "") -> str:
        return f"/_sandbox/instances/{self.name}{suffix}"

    def truth(self, entity: str) -> list[dict[str, Any]]:
        response = self.admin.get(self.admin_path(f"/records/{entity}"))
        assert response.status_code == 200, response.text
        rows: list[dict[str, Any]] = response.json()
        return rows

    def details(self) -> dict[str, Any]:
        details: dict[str, Any] = self.admin.get(self.admin_path()).json()
        return details

    def guide_role_id(self) -> int:
        return int(self.details()["roles"][0]["id"])

    def guide_agent(self) -> dict[str, Any]:
        return next(a for a in self.details()["agents"] if a["is_api_only"])

    def set_role(self, access: dict[str, str] | None = None, /, **flags: bool) -> None:
        """Change the guide's role: ``access`` overrides areas, ``flags`` overrides flags."""
        role = self.details()["roles"][0]
        body = {
            "name": role["name"],
            "access": {**role["access"], **(access or {})},
            "flags": {**role["flags"], **flags},
        }
        response = self.admin.put(self.admin_path(f"/roles/{role['id']}"), json=body)
        assert response.status_code == 200, response.text

    def set_scopes(self, scopes: list[str]) -> None:
        response = self.admin.patch(self.admin_path("/applications/1"), json={"scopes": scopes})
        assert response.status_code == 200, response.text
        self._token = None

    def set_faults(self, **faults: Any) -> None:
        response = self.admin.put(self.admin_path("/faults"), json=faults)
        assert response.status_code == 200, response.text

    def mutate(self, entity: str, **counts: int) -> dict[str, list[int]]:
        """Have "other users" create, update or delete records; returns the ids per change."""
        response = self.admin.post(self.admin_path("/mutations"), json={"entity": entity, **counts})
        assert response.status_code == 200, response.text
        changes: dict[str, list[int]] = response.json()
        return changes

    def counters(self) -> dict[str, Any]:
        counters: dict[str, Any] = self.admin.get(self.admin_path("/counters")).json()
        return counters
