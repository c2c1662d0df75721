"""The REST API for plans, decisions, protocols and the athlete's own `me` endpoints (mounted under /api/v1/)."""
