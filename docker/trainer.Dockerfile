# syntax=docker/dockerfile:1
# The trainer image: `docker run IMAGE train` runs a SageMaker training job (/opt/ml layout).
# Build context: the workspace root, after `npx nx run trainer:build`; build it with
# `npx nx run trainer:docker` (Docker or Podman, see docker/README.md).
# Two final stages, chosen by --target (Buildah 1.28 does not resolve a stage named by a
# build argument, so no `FROM runtime-${VARIANT}`):
#   trainer (the last stage, so the default): Debian bookworm, libxgboost0, TensorFlow.js on wasm;
#   trainer-gpu: CUDA 11.2 + cuDNN 8 (what @tensorflow/tfjs-node-gpu 4.22 links against), XGBoost from its wheel.
# The training stages run as root: SageMaker mounts /opt/ml root-owned (docker/README.md).
ARG NODE_VERSION=22.23.5

FROM node:${NODE_VERSION}-bookworm-slim AS node

# Production dependencies: only the packages the bundle leaves external (native and wasm code).
# npm-cache/ is empty (docker/image.mjs creates it), or, where the build cannot reach the npm
# registry, an npm cache of exactly these packages prepared on the host (NPM_OFFLINE=1).
FROM node AS deps
WORKDIR /opt/nextbuy/trainer
COPY dist/apps/trainer/package.json dist/apps/trainer/package-lock.json ./
COPY dist/apps/trainer/npm-cache/ /tmp/npm-cache/
RUN if [ -n "$(ls -A /tmp/npm-cache)" ]; then npm ci --offline --cache /tmp/npm-cache --omit=dev --no-audit --no-fund; \
    else npm ci --omit=dev --no-audit --no-fund; fi \
 && rm -rf /tmp/npm-cache && npm cache clean --force

FROM deps AS deps-gpu
# Its install script downloads the CUDA build of libtensorflow (npm 10, in this image, runs install scripts).
RUN npm install --no-save --omit=dev --no-audit --no-fund @tensorflow/tfjs-node-gpu@4.22.0 \
 && npm cache clean --force

FROM nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04 AS trainer-gpu
COPY --from=node /usr/local/bin/node /usr/local/bin/node
# Ubuntu 20.04 has no libxgboost >= 1.7: take the library from the official wheel (built with CUDA).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3-pip \
 && pip3 install --no-cache-dir xgboost==1.7.6 \
 && cp /usr/local/lib/python3.8/dist-packages/xgboost/lib/libxgboost.so /usr/local/lib/libxgboost.so \
 && pip3 uninstall -y xgboost \
 && apt-get purge -y python3-pip && apt-get autoremove -y \
 && rm -rf /var/lib/apt/lists/*
ARG VERSION=dev
ARG GIT_REVISION=unknown
LABEL org.opencontainers.image.title="nextbuy-trainer-gpu" \
      org.opencontainers.image.description="nextbuy trainer, GPU: next-purchase model training (SageMaker training container)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${GIT_REVISION}"
ENV NODE_ENV=production APP_ROOT=/opt/nextbuy XGBOOST_LIBRARY_PATH=/usr/local/lib/libxgboost.so TFJS_BACKEND=tensorflow-gpu
WORKDIR /opt/nextbuy
COPY --from=deps-gpu /opt/nextbuy/trainer/node_modules trainer/node_modules
COPY dist/apps/trainer/bin.js dist/apps/trainer/block-worker.js dist/apps/trainer/package.json trainer/
COPY dist/apps/trainer/chunks trainer/chunks/
COPY --chmod=755 docker/entrypoint.sh /usr/local/bin/nextbuy-entrypoint
USER root
ENTRYPOINT ["/usr/local/bin/nextbuy-entrypoint"]
CMD ["train"]

FROM node AS trainer
# Before the build arguments, so this layer stays cached from one revision to the next.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libxgboost0 \
 && rm -rf /var/lib/apt/lists/*
ARG VERSION=dev
ARG GIT_REVISION=unknown
LABEL org.opencontainers.image.title="nextbuy-trainer" \
      org.opencontainers.image.description="nextbuy trainer: next-purchase model training (SageMaker training container)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${GIT_REVISION}"
ENV NODE_ENV=production APP_ROOT=/opt/nextbuy
WORKDIR /opt/nextbuy
COPY --from=deps /opt/nextbuy/trainer/node_modules trainer/node_modules
COPY dist/apps/trainer/bin.js dist/apps/trainer/block-worker.js dist/apps/trainer/package.json trainer/
COPY dist/apps/trainer/chunks trainer/chunks/
COPY --chmod=755 docker/entrypoint.sh /usr/local/bin/nextbuy-entrypoint
# root, as SageMaker needs: it mounts /opt/ml/model and /opt/ml/output root-owned (docker/README.md).
USER root
ENTRYPOINT ["/usr/local/bin/nextbuy-entrypoint"]
CMD ["train"]
