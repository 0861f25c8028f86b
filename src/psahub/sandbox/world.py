"""All instances one sandbox process serves, and the tokens issued for them."""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime

from psahub.sandbox.clock import utcnow
from psahub.sandbox.data import parse_size, populate
from psahub.sandbox.directory import Application
from psahub.sandbox.faults import RateLimit
from psahub.sandbox.instance import Grant, Instance

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
RESERVED_NAMES = frozenset({"api", "auth", "_sandbox", "docs", "openapi.json"})


@dataclass
class Sandbox:
    """The registry of instances, keyed by URL name, plus every live token."""

    instances: dict[str, Instance] = field(default_factory=dict)
    grants: dict[str, Grant] = field(default_factory=dict)
    default: str | None = None

    def create_instance(
        self,
        name: str,
        hosting: str = "cloud",
        tenant: str | None = None,
        seed: int = 1,
        size: str | int = "tiny",
        rate_limit: RateLimit | None = None,
        token_lifetime: int = 3600,
        now: datetime | None = None,
        integration_name: str = "HighGround",
    ) -> tuple[Instance, Application]:
        """Create, fill and register an instance set up as the seed guide describes.

        Returns the instance and the API application of the guide's step 2.

        Raises:
            ValueError: on a bad name, hosting, tenant or size, or a name already in use.
        """
        if not _NAME.match(name) or name in RESERVED_NAMES:
            raise ValueError(
                f"instance name {name!r} must be 1-63 lowercase letters, digits or '-',"
                f" and not one of {sorted(RESERVED_NAMES)}"
            )
        if name in self.instances:
            raise ValueError(f"an instance called {name!r} already exists")
        tickets = parse_size(size)
        if hosting == "cloud":
            tenant = (tenant or name).strip()
            if not tenant:
                raise ValueError("a cloud instance needs a tenant")
            if self.by_tenant(tenant) is not None:
                raise ValueError(f"tenant {tenant!r} is already used by another instance")
        else:
            tenant = ""
        instance = Instance(
            name=name,
            hosting=hosting,
            tenant=tenant,
            seed=seed,
            generated_at=now or utcnow().replace(microsecond=0),
            rate_limit=rate_limit or RateLimit(),
            token_lifetime=token_lifetime,
            signing_key=secrets.token_bytes(32),
        )
        populate(instance, tickets)
        app = instance.directory.add_seed_guide_integration(integration_name)
        instance.refresh_directory_rows()
        self.instances[name] = instance
        if self.default is None:
            self.default = name
        return instance, app

    def remove_instance(self, name: str) -> bool:
        """Forget an instance and its tokens; say whether it existed."""
        instance = self.instances.pop(name, None)
        if instance is None:
            return False
        self.grants = {k: g for k, g in self.grants.items() if g.instance != name}
        if self.default == name:
            self.default = next(iter(self.instances), None)
        return True

    def by_tenant(self, tenant: str) -> Instance | None:
        """The cloud instance with this tenant id (compared case-insensitively)."""
        wanted = tenant.strip().lower()
        return next(
            (i for i in self.instances.values() if i.tenant and i.tenant.lower() == wanted),
            None,
        )

    def add_grant(self, grant: Grant) -> None:
        """Remember an issued token, dropping long-expired ones now and then."""
        if len(self.grants) > 50_000:
            cutoff = time.time() - 3600
            self.grants = {k: g for k, g in self.grants.items() if g.expires_at > cutoff}
        self.grants[grant.token] = grant

    def expire_tokens(self, instance: str) -> int:
        """End every token of an instance now, as if their lifetime had run out."""
        count = 0
        for grant in self.grants.values():
            if grant.instance == instance and not grant.expired():
                grant.expires_at = 0.0
                count += 1
        return count
