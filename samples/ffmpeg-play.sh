#!/usr/bin/env bash
# Plays a participant of the local stage. Without OUT it opens ffplay; with OUT=file.flv it records
# the stream unchanged (-c copy) and exits when the participant stops publishing.
#   samples/ffmpeg-play.sh PARTICIPANT_ID
# The participant id of an ingest configuration: stagegate --config FILE --print-participant-id obs
# TOKEN: a participant token with the SUBSCRIBE capability, required unless the configuration's
# playback switches allow this host, e.g.
#   TOKEN=$(aws ivs-realtime create-participant-token --stage-arn ARN --capabilities SUBSCRIBE \
#           --endpoint-url http://127.0.0.1:8080 --query participantToken.token --output text)
set -euo pipefail
PARTICIPANT=${1:?usage: ffmpeg-play.sh PARTICIPANT_ID}
RTMP=${RTMP:-127.0.0.1:1935}
URL="rtmp://$RTMP/play/$PARTICIPANT"
if [ -n "${TOKEN:-}" ]; then URL="$URL?token=$TOKEN"; fi
if [ -n "${OUT:-}" ]; then
  exec ffmpeg -nostdin -hide_banner -loglevel warning -y -i "$URL" -map 0 -c copy -f flv "$OUT"
fi
exec ffplay -hide_banner -loglevel warning "$URL"
