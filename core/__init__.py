"""The bottom layer: small helpers every app may import. It imports no app (make lint checks)."""
