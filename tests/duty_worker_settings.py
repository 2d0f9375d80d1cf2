"""Settings for the real workers started by tests/test_duty_delivery.py, scripts/soak-duties.py and
scripts/check-embedded-beat.sh: the project's settings (config/settings.py, unchanged) plus a duty of the tests'
own (tests/duty_hook.py, imported by the worker through CELERY_IMPORTS), the broker's visibility timeout shortened
when DUTY_TEST_VISIBILITY_TIMEOUT is set (so a task of a killed worker is redelivered in seconds, not an hour),
and mails written to files in DUTY_TEST_MAIL_DIR when it is set (so a test can count them from outside the worker).

Never active in production: only a process started with DJANGO_SETTINGS_MODULE=tests.duty_worker_settings reads
it; manage.py, config/wsgi.py and config/celery.py default to config.settings, and neither docker-compose.yml nor
any script under scripts/ except the three test drivers above sets another module.
"""

import os

from config.settings import *  # noqa: F403 - the project's settings, then the tests' additions
from config.settings import CELERY_BROKER_TRANSPORT_OPTIONS, REDIS_URL

CELERY_IMPORTS = ["tests.duty_hook"]

if REDIS_URL and os.environ.get("DUTY_TEST_VISIBILITY_TIMEOUT"):
    # kombu looks for messages past their timeout every interval × throttle seconds (10 × 10 by default)
    CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS,
                                       "visibility_timeout": int(os.environ["DUTY_TEST_VISIBILITY_TIMEOUT"]),
                                       "unacked_restore_interval": 2, "unacked_restore_throttle": 1}

if os.environ.get("DUTY_TEST_MAIL_DIR"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["DUTY_TEST_MAIL_DIR"]
