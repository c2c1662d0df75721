"""The REST API for session logs, next-morning reports and assessments (mounted under /api/v1/)."""
