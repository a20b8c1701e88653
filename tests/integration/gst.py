"""GStreamer publishers for the integration tests.

A publisher is one gst-launch-1.0 process: live test sources (videotestsrc + audiotestsrc),
x264enc + voaacenc, flvmux, then a tee: one branch goes to the RTMP sink under test (rtmp2sink,
GStreamer's own RTMP client, or rtmpsink, which is librtmp), the other to a local FLV file, so a
test knows exactly which packets were sent and can compare them with what a player received.
"""
import json
import os
import subprocess

GST_LAUNCH = "gst-launch-1.0"
ELEMENTS = ("videotestsrc", "audiotestsrc", "x264enc", "h264parse", "voaacenc", "aacparse",
            "flvmux", "tee", "filesink", "rtmp2sink", "rtmpsink")


def missing_elements(names=ELEMENTS):
    """The GStreamer elements of `names` that are not installed (all of them without GStreamer)."""
    try:
        return [n for n in names
                if subprocess.run(["gst-inspect-1.0", "--exists", n]).returncode != 0]
    except FileNotFoundError:
        return list(names)


def rtmp2sink(url, tls_validation_flags=None):
    """GStreamer's own client; `url` is rtmp(s)://host:port/app/stream. Its TLS is GIO's (GnuTLS
    through glib-networking): validation against the system store only, so a test chain is trusted
    by leaving unknown-ca out of the validation flags."""
    sink = ["rtmp2sink", f"location={url}"]
    if tls_validation_flags is not None:
        sink.append(f"tls-validation-flags={tls_validation_flags}")
    return sink


def rtmpsink(url):
    """librtmp: options follow the URL after a space; live=1 marks a live publish. One argv item
    keeps the space inside the property value (gst-launch escapes it)."""
    return ["rtmpsink", f"location={url} live=1"]


def av_publisher(sink, sent_path, size="640x360", rate=30, seconds=4, bframes=0,
                 profile="constrained-baseline", vbitrate_kbps=800, abitrate=96000, arate=48000,
                 channels=2):
    """argv of a live H.264 + AAC publish of `seconds` through `sink` (a list from rtmp2sink() or
    rtmpsink()); the muxed FLV is also written to `sent_path`. Ends by itself with EOS."""
    width, height = size.split("x")
    frames = rate * seconds
    audio_buffers = seconds * arate // 1024
    if bframes:
        # No zerolatency tuning (it forbids B-frames); b-adapt off makes every GOP use them.
        x264 = ["x264enc", "speed-preset=veryfast", f"bframes={bframes}", "b-adapt=false"]
    else:
        x264 = ["x264enc", "tune=zerolatency", "speed-preset=veryfast", "bframes=0"]
    x264 += [f"key-int-max={rate * 2}", f"bitrate={vbitrate_kbps}"]
    return [GST_LAUNCH,
            "videotestsrc", "is-live=true", f"num-buffers={frames}", "pattern=smpte", "!",
            f"video/x-raw,width={width},height={height},framerate={rate}/1", "!",
            *x264, "!", f"video/x-h264,profile={profile}", "!", "h264parse", "!", "queue", "!",
            "mux.",
            "audiotestsrc", "is-live=true", f"num-buffers={audio_buffers}", "samplesperbuffer=1024",
            "!", f"audio/x-raw,rate={arate},channels={channels}", "!",
            "voaacenc", f"bitrate={abitrate}", "!", "aacparse", "!", "queue", "!", "mux.",
            "flvmux", "name=mux", "streamable=true", "!", "tee", "name=t",
            "t.", "!", "queue", "!", *sink,
            "t.", "!", "queue", "!", "filesink", f"location={sent_path}"]


def start(argv, env=None):
    """Starts a gst-launch-1.0 argv; its errors (and any GST_DEBUG output) are on stderr, which
    harness.wait() returns."""
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, **(env or {})))


def packets(path, timeout=60):
    """{"video": [(md5, size)], "audio": [...]} of the first video and audio stream of a file."""
    out = subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-i", path,
                          "-map", "0:v:0?", "-map", "0:a:0?", "-c", "copy", "-f", "framemd5", "-"],
                         capture_output=True, text=True, timeout=timeout)
    streams = {}
    for line in out.stdout.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        fields = [f.strip() for f in line.split(",")]
        streams.setdefault(int(fields[0]), []).append((fields[5], int(fields[4])))
    return {"video": streams.get(0, []), "audio": streams.get(1, [])}


def probe(path, timeout=60):
    """Decodes every frame (ffprobe -count_frames): {codec_type: {codec_name, profile, width,
    height, sample_rate, channels, nb_read_frames}} of the file's audio and video streams."""
    out = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-show_entries",
                          "stream=codec_type,codec_name,profile,width,height,sample_rate,channels,"
                          "nb_read_frames", "-of", "json", path],
                         capture_output=True, text=True, timeout=timeout)
    streams = json.loads(out.stdout or "{}").get("streams", [])
    return {s["codec_type"]: s for s in streams if s.get("codec_type") in ("audio", "video")}


def decode_errors(path, timeout=60):
    """What FFmpeg's decoders complain about when decoding the audio and video of the whole file
    (empty when clean). Only the decoders count: the null muxer's complaints about timestamps are
    left out, as a live GStreamer pipeline may give two frames the same millisecond at its start
    (it is in the FLV that GStreamer writes locally too)."""
    out = subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-i", path,
                          "-map", "0:v:0", "-map", "0:a:0", "-f", "null", "-"],
                         capture_output=True, text=True, timeout=timeout)
    lines = [l for l in out.stderr.splitlines() if not l.startswith("[null @")]
    return "\n".join(lines).strip() if out.returncode == 0 else f"rc={out.returncode} {out.stderr}"

