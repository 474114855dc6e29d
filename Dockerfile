# The image behind docker-compose.yml: web (gunicorn), worker and beat.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON_DOWNLOADS=never \
    PATH="/opt/venv/bin:$PATH"

RUN pip install --no-cache-dir "uv==0.13.9"

WORKDIR /app
COPY pyproject.toml uv.lock .python-version ./
RUN uv sync --frozen --no-dev --no-install-project

# .dockerignore keeps the local virtualenv, var/ (the demo database, its passwords,
# client PDFs) and .git out of the image.
COPY . .
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && useradd --create-home --uid 1000 consult \
    && mkdir -p /app/var/media \
    && chown -R consult:consult /app/var

# The media volume mounts on /app/var/media: created here and owned by the app's user,
# a fresh named volume takes that ownership, so PDFs can be written.
USER consult
EXPOSE 8000
CMD ["gunicorn", "consult.wsgi:application", "--config", "consult/gunicorn.conf.py"]
