FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml requirements.lock README.md ./
RUN pip install --no-cache-dir -c requirements.lock .
COPY . .
RUN DJANGO_SETTINGS_MODULE=rehab.settings.production SECRET_KEY=build ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput
RUN useradd --create-home app && mkdir -p /app/media && chown -R app /app/media
USER app
EXPOSE 8000
# docker-compose.yml gives each service (web, worker, beat) its own command; this is the web's.
CMD ["gunicorn", "rehab.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
