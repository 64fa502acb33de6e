#!/bin/sh
# Container entry point: `labelops <service>` serves it on $PORT (default 8000); `labelops migrate [service…]`.
set -e
service="${1:-gateway}"
case "$service" in
  migrate) shift; exec python -m shared.cli migrate "$@" ;;
  gateway|contributors|vendors|tasks|console)
    # Several workers share metrics through files; values left by a previous run would be counted again.
    if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
      rm -rf "${PROMETHEUS_MULTIPROC_DIR:?}"/* && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
    fi
    # The gateway decides which X-Forwarded-For to believe itself (LABELOPS_GATEWAY_TRUSTED_PROXIES).
    proxy_headers="--proxy-headers"
    [ "$service" = gateway ] && proxy_headers="--no-proxy-headers"
    exec uvicorn "services.${service}.app:create_app" --factory --host 0.0.0.0 --port "${PORT:-8000}" \
      --workers "${WEB_CONCURRENCY:-1}" --no-access-log "$proxy_headers" ;;
  *) echo "usage: labelops gateway|contributors|vendors|tasks|console|migrate [service…]" >&2; exit 64 ;;
esac
