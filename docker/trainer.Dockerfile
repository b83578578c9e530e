# syntax=docker/dockerfile:1
# The trainer image: `docker run IMAGE train` runs a SageMaker training job (/opt/ml layout).
# Build context: the workspace root, after `npx nx run trainer:build` (see docker/README.md).
# VARIANT=cpu (default): Debian, libxgboost0, TensorFlow.js on wasm.
# VARIANT=gpu: CUDA 11.2 + cuDNN 8 (what @tensorflow/tfjs-node-gpu 4.22 links against), XGBoost from its wheel.
ARG NODE_VERSION=20.19.5
ARG VARIANT=cpu

FROM node:${NODE_VERSION}-bookworm-slim AS node

# Production dependencies: only the packages the bundle leaves external (native and wasm code).
FROM node AS deps-cpu
WORKDIR /opt/nextbuy/trainer
COPY dist/apps/trainer/package.json dist/apps/trainer/package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM deps-cpu AS deps-gpu
# Its install script downloads the CUDA build of libtensorflow (npm 10, in this image, runs install scripts).
RUN npm install --no-save --omit=dev --no-audit --no-fund @tensorflow/tfjs-node-gpu@4.22.0 \
 && npm cache clean --force

FROM node AS runtime-cpu
RUN apt-get update \
 && apt-get install -y --no-install-recommends libxgboost0 \
 && rm -rf /var/lib/apt/lists/*

FROM nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04 AS runtime-gpu
COPY --from=node /usr/local/bin/node /usr/local/bin/node
# Ubuntu 20.04 has no libxgboost >= 1.7: take the library from the official wheel (built with CUDA).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3-pip \
 && pip3 install --no-cache-dir xgboost==1.7.6 \
 && cp /usr/local/lib/python3.8/dist-packages/xgboost/lib/libxgboost.so /usr/local/lib/libxgboost.so \
 && pip3 uninstall -y xgboost \
 && apt-get purge -y python3-pip && apt-get autoremove -y \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --create-home node
ENV XGBOOST_LIBRARY_PATH=/usr/local/lib/libxgboost.so TFJS_BACKEND=tensorflow-gpu

FROM deps-${VARIANT} AS deps

FROM runtime-${VARIANT} AS trainer
ARG VERSION=dev
ARG GIT_REVISION=unknown
LABEL org.opencontainers.image.title="nextbuy-trainer" \
      org.opencontainers.image.description="nextbuy trainer: next-purchase model training (SageMaker training container)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${GIT_REVISION}"
ENV NODE_ENV=production APP_ROOT=/opt/nextbuy
WORKDIR /opt/nextbuy
COPY --from=deps /opt/nextbuy/trainer/node_modules trainer/node_modules
COPY dist/apps/trainer/bin.js dist/apps/trainer/package.json trainer/
COPY dist/apps/trainer/chunks trainer/chunks/
COPY --chmod=755 docker/entrypoint.sh /usr/local/bin/nextbuy-entrypoint
USER 1000:1000
ENTRYPOINT ["/usr/local/bin/nextbuy-entrypoint"]
CMD ["train"]
