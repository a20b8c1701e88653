#!/usr/bin/env bash
# Plays a participant of the local stage. Without OUT it opens ffplay; with OUT=file.flv it records
# the stream unchanged (-c copy) and exits when the participant stops publishing.
#   samples/ffmpeg-play.sh PARTICIPANT_ID
# The participant id of an ingest configuration: stagegate --config FILE --print-participant-id obs
set -euo pipefail
PARTICIPANT=${1:?usage: ffmpeg-play.sh PARTICIPANT_ID}
RTMP=${RTMP:-127.0.0.1:1935}
URL="rtmp://$RTMP/play/$PARTICIPANT"
if [ -n "${OUT:-}" ]; then
  exec ffmpeg -nostdin -hide_banner -loglevel warning -y -i "$URL" -map 0 -c copy -f flv "$OUT"
fi
exec ffplay -hide_banner -loglevel warning "$URL"
