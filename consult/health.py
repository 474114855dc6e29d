"""Readiness checks behind ``/healthz``."""

from django.conf import settings
from django.db import connection

from consult.celery import app


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 -- any failure means "down"
        return f"down: {type(exc).__name__}"
    return "ok"


def broker_status() -> str:
    if not settings.CELERY_BROKER_URL:
        return "in-process"
    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # noqa: BLE001 -- any failure means "down"
        return f"down: {type(exc).__name__}"
    return "ok"
