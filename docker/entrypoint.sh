#!/bin/sh
# Entrypoint of the nextbuy images. SageMaker starts a training container as
# `docker run IMAGE train` and a serving container as `docker run IMAGE serve`; the seed's
# `inference` is accepted for `serve`. exec hands PID 1 to node, so SIGTERM reaches the server.
set -eu

app_root="${APP_ROOT:-/opt/nextbuy}"
mode="${1:-}"
if [ "$#" -gt 0 ]; then shift; fi

case "$mode" in
  train) app=trainer; main=bin.js ;;
  serve | inference) app=inference-api; main=main.js ;;
  *)
    echo "nextbuy: unknown mode \"$mode\": run the image with train or serve" >&2
    exit 64
    ;;
esac

if [ ! -f "$app_root/$app/$main" ]; then
  echo "nextbuy: this image does not contain the $app app needed by \"$mode\": use the $app image" >&2
  exit 64
fi

exec node "$app_root/$app/$main" "$@"
