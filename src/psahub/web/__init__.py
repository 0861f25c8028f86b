"""The web app: pages, the JSON API and the embedded runner's home."""
