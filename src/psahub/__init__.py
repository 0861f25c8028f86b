"""psahub: a self-hostable PSA integration hub for MSP security platforms."""

__version__ = "0.1.0"
