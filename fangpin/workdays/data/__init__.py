"""Shipped working-day calendar files (``<year>.toml``); a package so they ship as data."""
