"""The HaloPSA connection guide's own words, used to tell the MSP exactly what to fix.

Every failure psahub reports about a HaloPSA setting points at the step, the screen and the
setting of the guide, so that the fix never needs a support ticket.
"""

from __future__ import annotations

#: The API application's permissions, as the guide lists them (step 2, application Permissions).
REQUIRED_SCOPES = (
    "read:tickets",
    "edit:tickets",
    "read:customers",
    "read:crm",
    "read:contracts",
    "read:suppliers",
    "read:items",
    "read:quotes",
    "read:invoices",
    "read:software",
    "read:assets",
)

ROLE_NAME = "HighGroundAgentRole"
AGENT_NAME = "HighGroundAgent"
APPLICATION_NAME = "HighGround"

ROLES_SCREEN = (
    f"In HaloPSA go to Configuration > Roles, open the role the API agent uses "
    f'("{ROLE_NAME}" if you followed the guide), open its Permissions tab'
)
AGENT_SCREEN = (
    f"In HaloPSA go to Configuration > Agents, open the API agent "
    f'("{AGENT_NAME}" if you followed the guide)'
)
APPLICATION_SCREEN = (
    "In HaloPSA go to Configuration > Integrations > HaloPSA API > View Applications and open "
    f'the application ("{APPLICATION_NAME}" if you followed the guide)'
)
API_DETAILS_SCREEN = "In HaloPSA go to Configuration > Integrations > HaloPSA API (API Details)"


def fix_scope(scope: str) -> str:
    """How to grant a missing application permission."""
    return (
        f"{APPLICATION_SCREEN}, go to its Permissions page, tick {scope} and click Save "
        "(step 2 of the guide). Then run the check again."
    )


def fix_role_access(label: str, level: str = "Read Only") -> str:
    """How to give the role an access level it lacks."""
    return f'{ROLES_SCREEN}, set "{label}" to "{level}" and click Save (step 2 of the guide).'


def fix_role_flag(label: str, section: str = "") -> str:
    """How to switch on one of the role's yes/no permissions."""
    where = f" in the {section} section" if section else ""
    return f'{ROLES_SCREEN}, set "{label}" to Yes{where} and click Save (step 2 of the guide).'


def fix_departments(missing: list[str]) -> str:
    """How to give the API agent View All on every department."""
    names = ", ".join(missing) if missing else "every department"
    return (
        f"{AGENT_SCREEN}, go to the Departments & Teams tab, click Edit, find Departments and "
        f'click Add: add {names} with the level of access "View All" and tick "Show all Teams in '
        'this Department in the Team Tree"; click Save in the window, then Save at the top of '
        "the page (step 2 of the guide)."
    )


FIX_INVALID_CLIENT = (
    "HaloPSA did not accept the Client ID and Client Secret. The Client ID can change when the "
    "application is first saved: copy it again from the application's Details tab "
    f"({APPLICATION_SCREEN}), and copy the Client Secret again too; mind spaces at either end."
)
FIX_TENANT = (
    f"The Tenant Id does not match this HaloPSA. {API_DETAILS_SCREEN} and copy the Tenant "
    "shown there (step 2 of the guide). Self-hosted HaloPSA has no tenant: leave it empty."
)
FIX_TENANT_REQUIRED = (
    f"This Halo-hosted instance needs its Tenant Id. {API_DETAILS_SCREEN} and copy the Tenant "
    "shown there (step 2 of the guide)."
)
FIX_API_URL = (
    "Api Domain Url must be the Resource Server of your HaloPSA, e.g. "
    f"https://yourcompany.halopsa.com/api. {API_DETAILS_SCREEN} and copy the Resource Server "
    "(step 1 of the guide names the instance URL it starts with)."
)
FIX_APPLICATION_TYPE = (
    f'{APPLICATION_SCREEN}: set Authentication Method to "Client ID and Secret (Services)" and '
    'Login Type to "Agent", choose the API agent as "Agent to log in as", and click Save '
    "(step 2 of the guide)."
)
FIX_AGENT_DISABLED = (
    f'{APPLICATION_SCREEN}: "Agent to log in as" must be an enabled, API-only agent '
    f"({AGENT_NAME} if you followed the guide). {AGENT_SCREEN} and make sure it is active."
)
