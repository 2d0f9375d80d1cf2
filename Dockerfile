# Production image: the same one runs web (gunicorn), worker and beat (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_VAR_DIR=/app/var

# WeasyPrint's libraries (Pango, HarfBuzz subsetting), a CJK font so Chinese PDFs never show boxes,
# and gettext to compile the translations.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first (pinned in pyproject.toml), so a code change does not reinstall them.
COPY pyproject.toml ./
COPY scripts/requirements.py scripts/
RUN python scripts/requirements.py > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .

# Translations and static files are built into the image (whitenoise serves them from STATIC_ROOT).
# The build-time key only lets the settings load; the real one comes from the environment at run time.
RUN DJANGO_DEBUG=false DJANGO_ALLOWED_HOSTS=build DJANGO_SECRET_KEY=build-only-not-a-secret-0000000000000000000000000000000 \
        sh -c 'if ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then python manage.py compilemessages; fi \
               && python manage.py collectstatic --noinput -v 0'

RUN useradd --system --create-home --home-dir /home/campus --uid 10001 campus \
    && mkdir -p /app/var \
    && chown campus:campus /app/var
USER campus
VOLUME ["/app/var"]

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["python", "scripts/healthcheck.py"]
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-", \
     "--graceful-timeout", "20", "--no-control-socket"]
