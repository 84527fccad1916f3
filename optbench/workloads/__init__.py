"""Seeded data generators. Append new ones; never change an existing one's
output, or results measured before and after stop being comparable."""
