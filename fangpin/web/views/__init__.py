"""Views of the web UI, one module per page family; each is thin: parse → selector/service →
render."""
