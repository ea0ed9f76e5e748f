"""Core Django app: regions, audit (and later users, roles, region scope, masking)."""
