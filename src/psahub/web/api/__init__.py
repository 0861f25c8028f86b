"""The JSON API under ``/api/v1``, authenticated with per-account API tokens."""
