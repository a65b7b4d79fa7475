"""Celery app, jobs and scheduled events."""
