# One image for every LabelOps process; the command picks the service:
#   docker run labelops gateway|contributors|vendors|tasks|console|migrate
# The console's browser libraries (htmx, Chart.js) from the npm registry, pinned by its package-lock.json.
FROM node:22-slim AS console-assets
WORKDIR /assets
COPY services/console/package.json services/console/package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 LABELOPS_DATA_DIR=/data
WORKDIR /app
COPY pyproject.toml ./
COPY shared ./shared
COPY services ./services
COPY --from=console-assets /assets/node_modules ./services/console/node_modules
RUN pip install --no-cache-dir . && useradd --create-home labelops && mkdir -p /data && chown labelops /data
COPY deploy/entrypoint.sh /usr/local/bin/labelops
USER labelops
ENTRYPOINT ["labelops"]
CMD ["gateway"]
