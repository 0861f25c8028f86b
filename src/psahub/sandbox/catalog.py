"""Names and price lists the data generator draws from to make a believable MSP."""

from __future__ import annotations

DEPARTMENTS = ("Service Desk", "Projects", "Security Operations", "Sales & Accounts")

#: (team name, index into DEPARTMENTS)
TEAMS = (
    ("1st Line Support", 0),
    ("2nd Line Support", 0),
    ("Field Engineers", 0),
    ("Projects", 1),
    ("SOC", 2),
    ("Security Engineering", 2),
    ("Sales", 3),
    ("Accounts", 3),
)

#: (id, name, default team index)
TICKET_TYPES = (
    (1, "Incident", 0),
    (2, "Service Request", 0),
    (3, "Problem", 1),
    (4, "Change Request", 1),
    (5, "Security Alert", 4),
    (6, "Project Task", 3),
    (7, "Opportunity", 6),
)

#: (id, name, type) — 9 is Halo's stock "Closed".
STATUSES = (
    (1, "New", 0),
    (2, "In Progress", 1),
    (3, "Action Required", 1),
    (4, "Waiting on Customer", 2),
    (5, "Scheduled", 1),
    (8, "Resolved", 3),
    (9, "Closed", 0),
)
CLOSED_STATUS_IDS = frozenset({8, 9})

SLAS = ((1, "Standard SLA"), (2, "Premium SLA"))
PRIORITIES = ((1, "Critical", 1, 4), (2, "High", 4, 8), (3, "Medium", 8, 24), (4, "Low", 24, 72))

SERVICES = (
    "Managed Desktop",
    "Managed Server",
    "Microsoft 365",
    "Email Security",
    "Endpoint Detection & Response",
    "Backup & Disaster Recovery",
    "Security Awareness Training",
    "Network & Firewall",
)

TOP_LEVELS = ("Managed Clients", "Break-Fix Clients", "Prospects")

CLIENT_WORDS = (
    "Acme",
    "Northwind",
    "Harbour",
    "Summit",
    "Bluebell",
    "Oakridge",
    "Granite",
    "Riverside",
    "Beacon",
    "Kestrel",
    "Meridian",
    "Pinnacle",
    "Willow",
    "Atlas",
    "Cobalt",
    "Evergreen",
    "Falcon",
    "Greystone",
    "Highland",
    "Ironbridge",
    "Juniper",
    "Lakeside",
    "Maple",
    "Nimbus",
    "Orchard",
    "Redwood",
    "Silverline",
    "Thornbury",
    "Vantage",
    "Westfield",
    "Yarrow",
    "Zenith",
)
CLIENT_TRADES = (
    "Dental",
    "Logistics",
    "Accountants",
    "Legal",
    "Engineering",
    "Veterinary",
    "Architects",
    "Manufacturing",
    "Property",
    "Insurance",
    "Healthcare",
    "Academy",
    "Foods",
    "Motors",
    "Consulting",
    "Hotels",
    "Construction",
    "Pharmacy",
    "Media",
    "Trust",
)
CLIENT_SUFFIXES = ("Ltd", "LLP", "Group", "Inc", "& Co", "Partners", "plc", "LLC")

SITE_NAMES = ("Head Office", "Warehouse", "Branch Office", "Data Centre", "Clinic", "Depot")
CITIES = ("London", "Leeds", "Bristol", "Manchester", "Glasgow", "Cardiff", "Dublin", "York")

FIRST_NAMES = (
    "Alex",
    "Sam",
    "Jordan",
    "Priya",
    "Tom",
    "Aisha",
    "Ben",
    "Chloe",
    "Daniel",
    "Ella",
    "Farah",
    "George",
    "Hannah",
    "Isaac",
    "Jade",
    "Kiran",
    "Liam",
    "Maya",
    "Noah",
    "Olivia",
    "Ravi",
    "Sofia",
    "Theo",
    "Uma",
    "Victor",
    "Wen",
    "Yusuf",
    "Zara",
    "Grace",
    "Oscar",
)
SURNAMES = (
    "Smith",
    "Patel",
    "Jones",
    "Williams",
    "Brown",
    "Khan",
    "Taylor",
    "Davies",
    "Evans",
    "Wilson",
    "Thomas",
    "Roberts",
    "Walker",
    "Wright",
    "Robinson",
    "Thompson",
    "White",
    "Hughes",
    "Edwards",
    "Green",
    "Hall",
    "Wood",
    "Harris",
    "Clarke",
    "Jackson",
    "Turner",
    "Hill",
    "Moore",
)

#: (name, kind) — the vendors an MSP security practice buys from.
SUPPLIERS = (
    ("Microsoft", "licensing"),
    ("Pax8", "distributor"),
    ("Ingram Micro", "distributor"),
    ("TD SYNNEX", "distributor"),
    ("SentinelOne", "security"),
    ("CrowdStrike", "security"),
    ("Huntress", "security"),
    ("Sophos", "security"),
    ("Bitdefender", "security"),
    ("ESET", "security"),
    ("Mimecast", "security"),
    ("Proofpoint", "security"),
    ("Datto", "backup"),
    ("Acronis", "backup"),
    ("Veeam", "backup"),
    ("N-able", "rmm"),
    ("KnowBe4", "security"),
    ("Duo Security", "security"),
    ("Fortinet", "network"),
    ("WatchGuard", "network"),
    ("Cisco Meraki", "network"),
    ("Dell Technologies", "hardware"),
    ("Lenovo", "hardware"),
    ("HP Inc", "hardware"),
    ("Keeper Security", "security"),
)

#: (name, supplier name, cost, price, recurring, asset group)
ITEMS = (
    ("Microsoft 365 Business Premium", "Microsoft", 18.10, 22.00, True, "Licensing"),
    ("Microsoft 365 Business Standard", "Microsoft", 10.30, 12.50, True, "Licensing"),
    ("Microsoft 365 E3", "Microsoft", 30.00, 36.00, True, "Licensing"),
    ("Exchange Online Plan 1", "Microsoft", 3.30, 4.00, True, "Licensing"),
    ("Microsoft Defender for Business", "Microsoft", 2.50, 3.00, True, "Security"),
    ("SentinelOne Singularity Complete", "SentinelOne", 5.80, 9.50, True, "Security"),
    ("CrowdStrike Falcon Go", "CrowdStrike", 4.90, 8.00, True, "Security"),
    ("Huntress Managed EDR", "Huntress", 3.25, 6.00, True, "Security"),
    ("Huntress Managed ITDR", "Huntress", 2.75, 5.00, True, "Security"),
    ("Sophos Intercept X Advanced", "Sophos", 3.10, 5.50, True, "Security"),
    ("Bitdefender GravityZone Business", "Bitdefender", 1.90, 3.50, True, "Security"),
    ("ESET PROTECT Complete", "ESET", 2.60, 4.50, True, "Security"),
    ("Mimecast Email Security", "Mimecast", 2.40, 4.20, True, "Security"),
    ("Proofpoint Essentials Business", "Proofpoint", 2.20, 4.00, True, "Security"),
    ("Datto SIRIS Backup", "Datto", 85.00, 140.00, True, "Backup"),
    ("Acronis Cyber Protect Cloud", "Acronis", 4.00, 7.50, True, "Backup"),
    ("Veeam Backup for Microsoft 365", "Veeam", 1.60, 3.00, True, "Backup"),
    ("N-able N-central Agent", "N-able", 1.20, 0.00, True, "Tools"),
    ("KnowBe4 Security Awareness Training", "KnowBe4", 1.50, 3.00, True, "Security"),
    ("Duo MFA", "Duo Security", 3.00, 5.00, True, "Security"),
    ("Keeper Business Password Manager", "Keeper Security", 2.75, 4.50, True, "Security"),
    ("FortiGate 60F Firewall", "Fortinet", 520.00, 795.00, False, "Network"),
    ("FortiGuard UTP Subscription", "Fortinet", 28.00, 45.00, True, "Network"),
    ("WatchGuard Firebox T45", "WatchGuard", 610.00, 899.00, False, "Network"),
    ("Meraki MR36 Access Point", "Cisco Meraki", 410.00, 620.00, False, "Network"),
    ("Dell Latitude 5440 Laptop", "Dell Technologies", 780.00, 995.00, False, "Hardware"),
    ("Dell OptiPlex 7010 Desktop", "Dell Technologies", 610.00, 799.00, False, "Hardware"),
    ("Lenovo ThinkPad T14 Laptop", "Lenovo", 820.00, 1049.00, False, "Hardware"),
    ("HP LaserJet Pro Printer", "HP Inc", 240.00, 329.00, False, "Hardware"),
    ("Managed Services - per user", "", 0.00, 45.00, True, "Services"),
    ("Managed Server", "", 0.00, 120.00, True, "Services"),
    ("vCISO Advisory - monthly", "", 0.00, 650.00, True, "Services"),
    ("Onsite Support - per hour", "", 0.00, 95.00, False, "Services"),
    ("Project Labour - per hour", "", 0.00, 110.00, False, "Services"),
    ("Penetration Test", "", 1800.00, 3200.00, False, "Services"),
)

CONTRACT_TYPES = ("Managed Services", "Security Package", "Backup & DR", "Block Hours")

#: (name, asset group, cost)
ASSET_TYPES = (
    ("Workstation", "Endpoints", 650.0),
    ("Laptop", "Endpoints", 900.0),
    ("Server", "Infrastructure", 4200.0),
    ("Virtual Machine", "Infrastructure", 0.0),
    ("Firewall", "Network", 800.0),
    ("Switch", "Network", 450.0),
    ("Wireless Access Point", "Network", 400.0),
    ("Printer", "Peripherals", 300.0),
    ("Mobile Phone", "Endpoints", 500.0),
)

#: Ticket summaries by ticket type index; ``{user}``, ``{site}`` and ``{asset}`` are filled in.
SUMMARIES = {
    1: (
        "Outlook keeps asking for password",
        "Laptop running very slowly",
        "Cannot connect to VPN from home",
        "Printer offline at {site}",
        "Teams calls dropping for {user}",
        "Shared drive not mapping",
        "Backup job failed",
    ),
    2: (
        "New starter: set up account for {user}",
        "Leaver: disable account for {user}",
        "Install Adobe Acrobat for {user}",
        "Add {user} to finance distribution list",
        "Request for new laptop",
        "Grant access to SharePoint site",
    ),
    3: ("Recurring Wi-Fi drops at {site}", "Repeated sync failures on file server"),
    4: (
        "Firewall firmware upgrade at {site}",
        "Enable MFA for all users",
        "Migrate mailboxes to Exchange Online",
        "Replace end-of-life switch at {site}",
    ),
    5: (
        "EDR alert: suspicious PowerShell on {asset}",
        "Phishing email reported by {user}",
        "Impossible travel sign-in for {user}",
        "Ransomware canary triggered on {asset}",
        "Multiple failed logins for {user}",
        "Malware quarantined on {asset}",
    ),
    6: (
        "Deploy new access points at {site}",
        "Server refresh project - phase 2",
        "Security awareness campaign rollout",
    ),
}

ACTION_NOTES = (
    "Called the user and confirmed the issue.",
    "Remote session started, investigating.",
    "Applied the fix and asked the user to test.",
    "Escalated to 2nd line for further investigation.",
    "User confirmed resolved. Closing ticket.",
    "Waiting for the customer to reply.",
    "Checked the EDR console: detection verified and isolated.",
    "Reset the password and enforced MFA re-registration.",
)
OUTCOMES = ((1, "Phone Call"), (2, "Remote Session"), (3, "Email User"), (7, "Private Note"))

CRM_NOTES = (
    "Quarterly business review held.",
    "Discussed security roadmap and MFA rollout.",
    "Renewal call: happy with service.",
    "Introduced the new account manager.",
)
