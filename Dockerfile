# newsdigest in a container: the README's install and run commands, nothing more.
#   docker build -t newsdigest .
#   docker run -e SLACK_BOT_TOKEN_FILE=/run/secrets/slack_bot_token ... newsdigest            # the scheduler
#   docker run ... newsdigest newsdigest worker                                                # a worker (PostgreSQL)
FROM python:3.12-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /opt/newsdigest
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY digests ./digests
COPY config ./config
RUN pip install . \
    && useradd --system --create-home --uid 10001 newsdigest \
    && mkdir -p /data \
    && chown newsdigest /data

USER newsdigest
WORKDIR /data
ENV NEWSDIGEST_CONFIG=/opt/newsdigest/config/newsdigest.toml \
    NEWSDIGEST_OPS_LISTEN=0.0.0.0:9102 \
    NEWSDIGEST_LOG_FORMAT=json
EXPOSE 9102
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["python", "-m", "bot.ops.healthcheck"]
CMD ["newsdigest", "run"]
