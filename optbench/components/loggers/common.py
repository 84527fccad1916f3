"""What every logger variant writes: one line per message, same format."""
from __future__ import annotations


def format_line(message: str, fields: dict | None) -> str:
    if not fields:
        return f"{message}\n"
    extras = " ".join(f"{k}={v}" for k, v in fields.items())
    return f"{message} {extras}\n"
