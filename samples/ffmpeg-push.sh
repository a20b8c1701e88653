#!/usr/bin/env bash
# Pushes a synthetic 720p30 test stream that passes the default media rules (H.264 Baseline, no
# B-frames, keyframe every 2 s, 2.5 Mbps; AAC-LC stereo 48 kHz 128 kbps) to the gateway.
#   samples/ffmpeg-push.sh [STREAM_KEY]
# Defaults match samples/stagegate.yaml; RTMP=host:port and DURATION=seconds override.
set -euo pipefail
KEY=${1:-rt_123456789012_us-east-1_J6lD8HGEbDvW_smkznvz1BI7EpoqT081mGxJjNzAqL3hv}
RTMP=${RTMP:-127.0.0.1:1935}
DURATION=${DURATION:-60}
exec ffmpeg -nostdin -hide_banner -loglevel warning -re \
  -f lavfi -i "testsrc2=size=1280x720:rate=30" -f lavfi -i "sine=frequency=440:sample_rate=48000" \
  -t "$DURATION" \
  -c:v libx264 -preset veryfast -tune zerolatency -profile:v baseline -bf 0 -g 60 -keyint_min 60 \
  -b:v 2500k -maxrate 2500k -bufsize 2500k -pix_fmt yuv420p -x264-params sliced-threads=0 \
  -c:a aac -ar 48000 -ac 2 -b:a 128k \
  -f flv "rtmp://$RTMP/app/$KEY"
