#!/usr/bin/env bash
# Installs the dependencies, builds, and runs the gateway on its embedded defaults:
# RTMP on 127.0.0.1:1935, SQLite state in ./var, the local stage, a demo stage with one ingest
# configuration named "obs". Extra arguments go to stagegate (e.g. --config samples/stagegate.yaml).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh >/dev/null
exec build/gateway/stagegate "$@"
