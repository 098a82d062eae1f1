# nnviz: the web app and REST API on port 8000, data in the /data volume.
# The first stage builds the wheel (templates and static files inside it as package data); the
# image installs only that wheel, so it holds no source tree. Its dependencies are installed first,
# in a stage of their own that depends on pyproject.toml alone: a change to the code rebuilds the
# wheel's layer (seconds), not numpy, plotly and Dask's (over a minute).
FROM python:3.11-slim AS deps

ENV PIP_DISABLE_PIP_VERSION_CHECK=1

COPY pyproject.toml /tmp/pyproject.toml
RUN python -c "import tomllib; print(*tomllib.load(open('/tmp/pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" \
        > /tmp/requirements.txt \
    && pip install --no-cache-dir --requirement /tmp/requirements.txt \
    && rm /tmp/pyproject.toml /tmp/requirements.txt

FROM python:3.11-slim AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY app ./app
COPY templates ./templates
COPY static ./static
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM deps

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    NNVIZ_DATA_DIR=/data \
    NNVIZ_HOST=0.0.0.0 \
    NNVIZ_PORT=8000

COPY --from=build /wheels /tmp/wheels
RUN pip install --no-cache-dir --no-deps /tmp/wheels/*.whl \
    && rm -rf /tmp/wheels \
    && useradd --uid 10001 --create-home --home-dir /home/nnviz --shell /usr/sbin/nologin nnviz \
    && mkdir -p /data \
    && chown nnviz /data

USER 10001
WORKDIR /home/nnviz
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/api/health', timeout=4).status != 200)"]

CMD ["python", "-m", "app", "--host", "0.0.0.0", "--port", "8000"]
