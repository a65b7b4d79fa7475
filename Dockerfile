# The image the Helm chart runs (helm/comptoir): API (uvicorn), workers, beat and migrations.
#   docker build -t comptoir:0.1.0 .
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# WeasyPrint renders documents with Pango (HarfBuzz-Subset keeps each PDF's font subsetting fast);
# the fonts themselves are bundled in comptoir/documents/fonts.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig \
 && rm -rf /var/lib/apt/lists/*

# Dependencies first, in their own layer: rebuilt only when pyproject.toml changes.
COPY pyproject.toml README.md ./
RUN mkdir comptoir && touch comptoir/__init__.py && pip install -e . && rm -rf comptoir

# An editable install: migrations are found next to the package (alembic.ini, migrations/).
COPY alembic.ini ./
COPY migrations ./migrations
COPY comptoir ./comptoir
RUN pip install --no-deps -e . && python -m compileall -q comptoir migrations

# The chart runs containers as this user on a read-only root filesystem (/tmp is an emptyDir).
RUN groupadd --system --gid 10001 comptoir \
 && useradd --system --uid 10001 --gid comptoir --home-dir /tmp --shell /usr/sbin/nologin comptoir
USER 10001

EXPOSE 8000
CMD ["uvicorn", "comptoir.app:app", "--host", "0.0.0.0", "--port", "8000", "--proxy-headers"]
