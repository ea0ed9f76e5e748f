"""The server-rendered web UI (docs/web.md): thin views over the registry's selectors and
services."""
