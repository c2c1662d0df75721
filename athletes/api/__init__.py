"""The REST API for athletes and injuries (mounted under /api/v1/ by rehab/api_urls.py)."""
