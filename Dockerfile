# One image for every LabelOps process; the command picks the service:
#   docker run labelops gateway|contributors|vendors|tasks|migrate
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 LABELOPS_DATA_DIR=/data
WORKDIR /app
COPY pyproject.toml ./
COPY shared ./shared
COPY services ./services
RUN pip install --no-cache-dir . && useradd --create-home labelops && mkdir -p /data && chown labelops /data
COPY deploy/entrypoint.sh /usr/local/bin/labelops
USER labelops
ENTRYPOINT ["labelops"]
CMD ["gateway"]
