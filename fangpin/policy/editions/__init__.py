"""Shipped policy edition files (``<year>-<region>.toml``); a package so they ship as data."""
