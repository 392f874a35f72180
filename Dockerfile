# One image for the four services; PANA_SERVICE picks which one runs.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PANA_HOST=0.0.0.0
WORKDIR /app
COPY pyproject.toml README.md ./
COPY contracts ./contracts
COPY eventkit ./eventkit
COPY access ./access
COPY roster ./roster
COPY services ./services
COPY deploy ./deploy
RUN pip install --no-cache-dir . && useradd --system --uid 10001 pana
USER pana
# The personal-data keys come from the secrets volume (compose) or the environment (Kubernetes).
CMD ["sh", "-c", "if [ -f /run/pana/personal-data.env ]; then set -a; . /run/pana/personal-data.env; set +a; fi; exec python -m services.${PANA_SERVICE}"]
