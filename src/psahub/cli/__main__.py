"""``python -m psahub.cli``."""

from psahub.cli import app

app()
