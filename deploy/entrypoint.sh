#!/bin/sh
# Container entry point: `labelops <service>` serves it on $PORT (default 8000); `labelops migrate [service…]`.
set -e
service="${1:-gateway}"
case "$service" in
  migrate) shift; exec python -m shared.cli migrate "$@" ;;
  gateway|contributors|vendors|tasks)
    exec uvicorn "services.${service}.app:create_app" --factory --host 0.0.0.0 --port "${PORT:-8000}" \
      --workers "${WEB_CONCURRENCY:-1}" --no-access-log ;;
  *) echo "usage: labelops gateway|contributors|vendors|tasks|migrate [service…]" >&2; exit 64 ;;
esac
