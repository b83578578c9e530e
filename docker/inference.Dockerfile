# syntax=docker/dockerfile:1
# The inference image: `docker run IMAGE serve` starts the SageMaker serving contract on 8080
# (GET /ping, POST /invocations). Build context: the workspace root, after
# `npx nx run inference-api:build`; build it with `npx nx run inference-api:docker` (see docker/README.md).
ARG NODE_VERSION=22.23.5

FROM node:${NODE_VERSION}-bookworm-slim AS node

# Production dependencies: only the packages the bundle leaves external (native and wasm code).
# npm-cache/ is empty (docker/image.mjs creates it), or, where the build cannot reach the npm
# registry, an npm cache of exactly these packages prepared on the host (NPM_OFFLINE=1).
FROM node AS deps
WORKDIR /opt/nextbuy/inference-api
COPY dist/apps/inference-api/package.json dist/apps/inference-api/package-lock.json ./
COPY dist/apps/inference-api/npm-cache/ /tmp/npm-cache/
RUN if [ -n "$(ls -A /tmp/npm-cache)" ]; then npm ci --offline --cache /tmp/npm-cache --omit=dev --no-audit --no-fund; \
    else npm ci --omit=dev --no-audit --no-fund; fi \
 && rm -rf /tmp/npm-cache && npm cache clean --force

FROM node AS inference
# Before the build arguments, so this layer stays cached from one revision to the next.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libxgboost0 \
 && rm -rf /var/lib/apt/lists/*
ARG VERSION=dev
ARG GIT_REVISION=unknown
LABEL org.opencontainers.image.title="nextbuy-inference" \
      org.opencontainers.image.description="nextbuy inference API: SageMaker serving container" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${GIT_REVISION}"
ENV NODE_ENV=production APP_ROOT=/opt/nextbuy SAGEMAKER_BIND_TO_PORT=8080
WORKDIR /opt/nextbuy
COPY --from=deps /opt/nextbuy/inference-api/node_modules inference-api/node_modules
COPY dist/apps/inference-api/main.js dist/apps/inference-api/package.json inference-api/
COPY dist/apps/inference-api/chunks inference-api/chunks/
COPY --chmod=755 docker/entrypoint.sh /usr/local/bin/nextbuy-entrypoint
# Serving only reads /opt/ml/model and listens on 8080: it needs no root (docker/README.md).
USER 1000:1000
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/nextbuy-entrypoint"]
CMD ["serve"]
