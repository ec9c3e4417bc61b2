"""Thin routers: parse, call a service, present; all under /api/v1 except /health."""
