# careerbot in a container: the index is built with torch in the build stage and served without
# it. The runtime stage holds Python, the locked serving set, the published index and the
# knowledge base it came from; the question log lives on the /data volume.
#
#   docker build -t careerbot .
#   docker run -d -e TELEGRAM_BOT_TOKEN=... -v careerbot-data:/data careerbot            # polling
#   docker run -d -e TELEGRAM_BOT_TOKEN=... -e WEBHOOK_URL=https://bot.example.org/telegram \
#     -e WEBHOOK_SECRET=... -p 8080:8080 -v careerbot-data:/data careerbot careerbot serve --webhook
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
# Two environments from the locks: /opt/build builds the index (torch's CPU build), /opt/serve is
# what the runtime stage copies (no torch). Dependencies first: they change less than the code.
COPY requirements/ requirements/
RUN python -m venv /opt/build \
 && /opt/build/bin/pip install -r requirements/build.lock \
 && python -m venv /opt/serve \
 && /opt/serve/bin/pip install -r requirements/serve.lock
COPY pyproject.toml README.md ./
COPY bot/ bot/
RUN /opt/build/bin/pip install --no-deps . \
 && /opt/serve/bin/pip install --no-deps .
COPY knowledge/ knowledge/
COPY deploy/build-index.sh deploy/
# The same script CI runs (tests/test_package.py): embeds the knowledge base, exports the
# encoder to ONNX and publishes the index into /opt/index.
RUN PATH="/opt/build/bin:$PATH" CAREERBOT_KNOWLEDGE_DIR=knowledge CAREERBOT_INDEX_DIR=/opt/index \
    sh deploy/build-index.sh

FROM ${PYTHON_IMAGE}
RUN useradd --system --uid 10001 --user-group --no-create-home careerbot \
 && mkdir /data \
 && chown careerbot:careerbot /data
COPY --from=build /opt/serve /opt/serve
COPY --from=build /opt/index /app/index
COPY knowledge/ /app/knowledge/
# /healthz answers on PORT: the webhook server's port, or in polling mode CAREERBOT_HEALTH_PORT.
ENV PATH="/opt/serve/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    CAREERBOT_DATA_DIR=/data \
    CAREERBOT_INDEX_DIR=/app/index \
    CAREERBOT_KNOWLEDGE_DIR=/app/knowledge \
    PORT=8080 \
    CAREERBOT_HEALTH_PORT=8080
WORKDIR /app
VOLUME ["/data"]
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ['PORT'], timeout=4)"]
CMD ["careerbot", "serve"]
