"""The Celery app. Its configuration lives in settings (the ``CELERY_`` names).

Queues: ``email`` (tasks named ``email.*``), ``pdf`` (``pdf.*``) and ``default``
(beat's periodic scans). Run one worker for all three, or scale them apart:
``celery -A consult worker -Q email`` and ``celery -A consult worker -Q pdf``.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consult.settings")

app = Celery("consult")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
