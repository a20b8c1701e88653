#!/usr/bin/env bash
# Installs what stagegate needs to build, run and test, from Debian 12's packages only.
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
PACKAGES=(
  # build
  g++ cmake ninja-build pkg-config clang-format
  # libraries
  libuv1-dev libssl-dev libavcodec-dev libavformat-dev libavutil-dev libyaml-cpp-dev
  libsqlite3-dev libhttp-parser-dev nlohmann-json3-dev libspdlog-dev libcli11-dev
  libgtest-dev libgmock-dev
  # real clients and peers used by the tests
  ffmpeg nginx libnginx-mod-rtmp sqlite3 python3 curl openssl
  # GStreamer publishers (tests/integration/test_gstreamer.py): gst-launch-1.0, test sources (base),
  # flvmux + aacparse (good), rtmp2sink + rtmpsink (librtmp) + voaacenc + h264parse (bad),
  # x264enc (ugly); glib-networking gives rtmp2sink its TLS for rtmps://
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly glib-networking
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
