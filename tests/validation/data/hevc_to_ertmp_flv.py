#!/usr/bin/env python3
"""Wraps an Annex B HEVC stream (from libx265) into an FLV file with Enhanced RTMP video tags.

Debian 12's ffmpeg 5.1 cannot mux HEVC into FLV, so make_data.sh uses this to build the
E-RTMP input for the INVALID_VIDEO_CODEC test: one SequenceStart tag (FourCC hvc1 + a minimal
hvcC holding the VPS/SPS/PPS) followed by CodedFrames tags (4-byte length-prefixed NAL units).
"""
import struct
import sys


def split_annexb(data):
    """Returns the NAL units of an Annex B byte stream (start codes removed)."""
    nals, i, start = [], 0, None
    while i + 3 <= len(data):
        if data[i:i + 3] == b"\x00\x00\x01":
            if start is not None:
                nals.append(data[start:i].rstrip(b"\x00"))
            i += 3
            start = i
        else:
            i += 1
    if start is not None:
        nals.append(data[start:])
    return [n for n in nals if n]


def unescape(nal):
    out, zeros = bytearray(), 0
    for b in nal:
        if zeros >= 2 and b == 3:
            zeros = 0
            continue
        out.append(b)
        zeros = zeros + 1 if b == 0 else 0
    return bytes(out)


def hvcc(vps, sps, pps):
    ptl = unescape(sps)[3:15]  # general profile_tier_level: 12 bytes after the SPS's first byte
    rec = bytes([1]) + ptl
    rec += bytes([0xF0, 0x00, 0xFC, 0xFD, 0xF8, 0xF8, 0x00, 0x00, 0x0F, 3])
    for nal_type, nal in ((32, vps), (33, sps), (34, pps)):
        rec += bytes([0x80 | nal_type]) + struct.pack(">HH", 1, len(nal)) + nal
    return rec


def tag(ts, body):
    head = struct.pack(">B", 9) + struct.pack(">I", len(body))[1:]
    head += struct.pack(">I", ts & 0xFFFFFF)[1:] + bytes([(ts >> 24) & 0xFF]) + b"\x00\x00\x00"
    return head + body + struct.pack(">I", 11 + len(body))


def main(src, dst):
    nals = split_annexb(open(src, "rb").read())
    params = {}
    frames, current = [], []
    for nal in nals:
        nal_type = (nal[0] >> 1) & 0x3F
        if nal_type in (32, 33, 34):
            params.setdefault(nal_type, nal)
            continue
        if nal_type < 32 and (nal[2] & 0x80) and current:  # first_slice_segment_in_pic_flag
            frames.append(current)
            current = []
        current.append(nal)
    if current:
        frames.append(current)
    out = b"FLV\x01\x01\x00\x00\x00\x09\x00\x00\x00\x00"
    seq = bytes([0x80 | 1 << 4 | 0]) + b"hvc1" + hvcc(params[32], params[33], params[34])
    out += tag(0, seq)
    for n, frame in enumerate(frames):
        key = any(16 <= ((nal[0] >> 1) & 0x3F) <= 23 for nal in frame)
        body = bytes([0x80 | (1 if key else 2) << 4 | 1]) + b"hvc1" + b"\x00\x00\x00"
        body += b"".join(struct.pack(">I", len(nal)) + nal for nal in frame)
        out += tag(n * 1000 // 30, body)
    open(dst, "wb").write(out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
