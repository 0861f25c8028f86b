"""Secret handling: redaction of secrets in logs (encryption and URL guard follow)."""
