# nnviz: the web app and REST API on port 8000, data in the /data volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    NNVIZ_DATA_DIR=/data \
    NNVIZ_HOST=0.0.0.0 \
    NNVIZ_PORT=8000

# The app serves templates/ and static/ from the source tree, so the tree stays in the image.
WORKDIR /srv/nnviz
COPY pyproject.toml README.md ./
COPY app ./app
COPY templates ./templates
COPY static ./static
RUN pip install --no-cache-dir . \
    && useradd --system --uid 10001 --home-dir /srv/nnviz --shell /usr/sbin/nologin nnviz \
    && mkdir -p /data \
    && chown nnviz /data

USER 10001
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/api/health', timeout=4).status != 200)"]

CMD ["python", "-m", "app", "--host", "0.0.0.0", "--port", "8000"]
