# The app image: Python dependencies from the lock file, front-end assets compiled
# from npm, static files collected. Third-party code is installed here, never committed.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY static ./static
RUN npm run build

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv PATH=/opt/venv/bin:$PATH
# WeasyPrint's libraries; pg_dump and pg_restore of the server's major version (compose
# runs postgres:15) for manage.py backup and restore.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core \
    postgresql-client-15 \
 && rm -rf /var/lib/apt/lists/* \
 && pip install --no-cache-dir uv \
 && useradd --create-home --uid 1000 cse
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --python python3
COPY . .
COPY --from=assets /app/static/build ./static/build
RUN DEBUG=false SECRET_KEY=build-only ALLOWED_HOSTS=localhost CSE_VAR_DIR=/tmp/build \
    python manage.py collectstatic --noinput \
 && mkdir -p /var/lib/cse/private && chown -R cse /var/lib/cse
ENV CSE_VAR_DIR=/var/lib/cse
USER cse
EXPOSE 8000
CMD ["gunicorn", "cse.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
