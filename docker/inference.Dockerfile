# syntax=docker/dockerfile:1
# The inference image: `docker run IMAGE serve` starts the SageMaker serving contract on 8080
# (GET /ping, POST /invocations). Build context: the workspace root, after
# `npx nx run inference-api:build` (see docker/README.md).
ARG NODE_VERSION=20.19.5

FROM node:${NODE_VERSION}-bookworm-slim AS node

# Production dependencies: only the packages the bundle leaves external (native and wasm code).
FROM node AS deps
WORKDIR /opt/nextbuy/inference-api
COPY dist/apps/inference-api/package.json dist/apps/inference-api/package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node AS inference
ARG VERSION=dev
ARG GIT_REVISION=unknown
LABEL org.opencontainers.image.title="nextbuy-inference" \
      org.opencontainers.image.description="nextbuy inference API: SageMaker serving container" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${GIT_REVISION}"
RUN apt-get update \
 && apt-get install -y --no-install-recommends libxgboost0 \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production APP_ROOT=/opt/nextbuy SAGEMAKER_BIND_TO_PORT=8080
WORKDIR /opt/nextbuy
COPY --from=deps /opt/nextbuy/inference-api/node_modules inference-api/node_modules
COPY dist/apps/inference-api/main.js dist/apps/inference-api/package.json inference-api/
COPY dist/apps/inference-api/chunks inference-api/chunks/
COPY --chmod=755 docker/entrypoint.sh /usr/local/bin/nextbuy-entrypoint
USER 1000:1000
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/nextbuy-entrypoint"]
CMD ["serve"]
