#!/bin/sh
# Regenerates the small real bitstreams the validation tests replay (tests/validation/*_test.cpp).
# Run from anywhere: sh tests/validation/data/make_data.sh. Needs ffmpeg with libx264, libx265,
# libmp3lame and the native aac encoder (Debian 12's ffmpeg has them) and python3 (for the
# Enhanced RTMP HEVC file, which Debian's ffmpeg 5.1 FLV muxer cannot write).
# Files are kept short and low-bitrate so the whole directory stays well under 1.5 MB.
set -eu
cd "$(dirname "$0")"

ff() { ffmpeg -hide_banner -loglevel error -y "$@"; }
# Video source: testsrc2; audio: a sine. -sc_threshold 0 keeps the IDR cadence exactly -g frames.
video() { # size rate seconds
  echo "-f lavfi -i testsrc2=size=$1:rate=$2 -t $3"
}
audio() { # rate channels
  echo "-f lavfi -i sine=frequency=440:sample_rate=$1 -ac $2"
}
x264() { # profile bframes
  echo "-c:v libx264 -preset veryfast -profile:v $1 -bf $2 -g 30 -sc_threshold 0 -b:v 150k -maxrate 200k -bufsize 200k -pix_fmt yuv420p"
}

# Compliant: Constrained Baseline (x264's "baseline" sets constraint_set1), AAC-LC 48 kHz stereo.
ff $(video 320x240 30 3) $(audio 48000 2) -t 3 $(x264 baseline 0) -c:a aac -b:a 96k -f flv baseline_320x240.flv
# High profile with B-frames (profile and B_FRAME_PRESENT).
ff $(video 320x240 30 1) $(audio 48000 2) -t 1 $(x264 high 3) -c:a aac -b:a 96k -f flv high_bframes_320x240.flv
# Main profile without B-frames (INVALID_VIDEO_CODEC by profile only).
ff $(video 320x240 30 1) $(audio 48000 2) -t 1 $(x264 main 0) -c:a aac -b:a 96k -f flv main_320x240.flv
# Resolutions: 720p and portrait 720x1280 pass, 1080p is too large, 128x96 too small.
ff $(video 1280x720 30 0.4) $(audio 44100 2) -t 0.4 $(x264 baseline 0) -c:a aac -b:a 64k -f flv baseline_1280x720.flv
ff $(video 720x1280 30 0.4) $(audio 44100 1) -t 0.4 $(x264 baseline 0) -c:a aac -b:a 64k -f flv baseline_720x1280.flv
ff $(video 1920x1080 30 0.2) $(audio 48000 2) -t 0.2 $(x264 baseline 0) -c:a aac -b:a 64k -f flv baseline_1920x1080.flv
ff $(video 128x96 30 0.5) $(audio 48000 2) -t 0.5 $(x264 baseline 0) -c:a aac -b:a 64k -f flv baseline_128x96.flv
# Audio codec violations: MP3, AAC 5.1, AAC at 22.05 kHz.
ff $(video 320x240 30 0.5) $(audio 44100 2) -t 0.5 $(x264 baseline 0) -c:a libmp3lame -b:a 64k -f flv mp3_audio.flv
ff $(video 320x240 30 0.5) $(audio 48000 6) -t 0.5 $(x264 baseline 0) -c:a aac -b:a 128k -f flv aac_6ch.flv
ff $(video 320x240 30 0.5) $(audio 22050 2) -t 0.5 $(x264 baseline 0) -c:a aac -b:a 64k -f flv aac_22050.flv

# HEVC in Enhanced RTMP: encode Annex B with libx265, then wrap it (hvcC + CodedFrames, FourCC hvc1).
ff $(video 320x240 30 0.3) -c:v libx265 -preset ultrafast -x265-params log-level=error:bframes=0 \
  -b:v 150k -f hevc hevc.tmp.h265
python3 ./hevc_to_ertmp_flv.py hevc.tmp.h265 hevc_ertmp.flv
rm -f hevc.tmp.h265
ls -l *.flv
