# syntax=docker/dockerfile:1

# Stage 1: Bootstrap from npm, pinned by package-lock.json. The app serves it itself (no CDN).
FROM node:20-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
# Only Bootstrap: the development packages (fake-indexeddb, for node's tests) stay out.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error


# Stage 2: the app.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=smd.settings \
    MEDIA_ROOT=/data/media

WORKDIR /app

# WeasyPrint draws PDFs with Pango; DejaVu gives it fonts.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, so a code change does not reinstall them.
COPY requirements/base.txt requirements/base.txt
RUN pip install -r requirements/base.txt

COPY . .
# settings.STATICFILES_DIRS reads Bootstrap from node_modules/bootstrap/dist.
COPY --from=assets /build/node_modules/bootstrap/dist node_modules/bootstrap/dist

# Collect static files into the image: with DEBUG off WhiteNoise serves them hashed and
# compressed (CompressedManifestStaticFilesStorage). No secret is needed or baked in.
RUN DEBUG=false python manage.py collectstatic --noinput

# Run as a non-root user. The code stays owned by root (read-only to the app); only
# MEDIA_ROOT is writable.
RUN useradd --system --user-group --home-dir /app --shell /usr/sbin/nologin smd \
    && mkdir -p /data/media \
    && chown smd:smd /data/media
USER smd

EXPOSE 8000
CMD ["gunicorn", "smd.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
