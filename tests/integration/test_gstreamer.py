"""GStreamer publishers against the real daemon (SPEC 3: interoperation with GStreamer rtmp2sink and
librtmp-based encoders, here GStreamer's rtmpsink, the librtmp that OBS and many hardware encoders
embed).

Each publish is a live gst-launch-1.0 pipeline (x264enc constrained baseline without B-frames,
voaacenc AAC-LC 48 kHz stereo, flvmux) whose muxed FLV is also written to a local file, so the
packets a player receives from /play/<participantId> are compared with the ones sent, bit for bit.
"""
import os
import shutil
import subprocess
import tempfile
import time
import unittest

import gst
from harness import GatewayTestCase, wait

DEMO = {"demo": [{"name": "obs", "user_id": "studio-a"}]}
SECURE = {"demo": [{"name": "obs", "user_id": "studio-a", "ingest_protocol": "RTMPS"}]}
SECONDS = 4
RATE = 30
MAKE_CHAIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "samples",
                          "make-tls-chain.sh")


def rtmp2sink_trusting_the_test_ca(url):
    """GIO (glib-networking, GnuTLS) validates against the system store only: the sample root CA
    is left out by not asking for unknown-ca; the name (127.0.0.1) and dates are still checked."""
    return gst.rtmp2sink(url, "bad-identity+not-activated+expired+revoked+insecure+generic-error")


class GStreamerTest(GatewayTestCase):
    @classmethod
    def setUpClass(cls):
        missing = gst.missing_elements()
        if missing:
            raise AssertionError("GStreamer elements missing (run scripts/install-deps.sh): "
                                 + ", ".join(missing))

    # --- helpers -------------------------------------------------------------------------------
    def rtmps_daemon(self):
        """A daemon with an RTMPS listener serving the sample chain (root -> intermediate -> leaf
        for 127.0.0.1); skips the test while this stagegate build does not serve RTMPS."""
        certs = tempfile.mkdtemp(prefix="stagegate-gst-tls-")
        self.addCleanup(shutil.rmtree, certs, True)
        subprocess.run([MAKE_CHAIN, certs], check=True, stdout=subprocess.DEVNULL)
        config = {"listeners": {"rtmps": {"enabled": True, "bind": "127.0.0.1:0",
                                          "certificate": os.path.join(certs, "chain.pem"),
                                          "private_key": os.path.join(certs, "server.key")}}}
        d = self.daemon(config=config, stages=SECURE)
        if d.rtmps_port is None:
            self.skipTest("this stagegate build does not serve RTMPS yet "
                          "(no 'listening for RTMPS on ...' line with listeners.rtmps enabled)")
        return d

    def publish(self, d, sink_factory, secure=False, **pipeline):
        """Runs one GStreamer publish to its end; returns (exit code, gst-launch stderr with the
        URL redacted, sent FLV)."""
        url = d.publish_url("obs", secure)
        sent = os.path.join(d.dir, "sent.flv")
        pub = gst.start(gst.av_publisher(sink_factory(url), sent, rate=RATE, seconds=SECONDS,
                                         **pipeline))
        d.children.append(pub)
        d.keep_client(pub, f"gst-{sink_factory.__name__}", url)
        rc, err = wait(pub, timeout=60)
        return rc, err.replace(url, "<the publish URL>"), sent

    def assert_published_and_played(self, d, sink_factory, secure=False):
        received = os.path.join(d.dir, "received.flv")
        player = d.play("obs", received)
        time.sleep(0.5)  # the player waits on the participant until it publishes
        rc, out, sent = self.publish(d, sink_factory, secure)
        self.assertEqual(rc, 0, f"gst-launch failed:\n{out}\n{d.log()[-3000:]}")
        prc, perr = wait(player, timeout=30)
        self.assertEqual(prc, 0, perr)

        events = d.wait_events("obs", 4)
        self.assertEqual(events, [("JOINED", ""), ("PUBLISH_STARTED", ""), ("PUBLISH_STOPPED", ""),
                                  ("LEFT", "")])
        self.assertEqual(d.configuration("obs")["state"], "INACTIVE")
        rows = d.query("SELECT protocol FROM participants WHERE participant_id = ?",
                       (d.participant_id("obs"),))
        protocol = "RTMPS" if secure else "RTMP"
        self.assertEqual(rows, [(protocol,)])

        # What the player got decodes as the stream that was published ...
        info = gst.probe(received)
        self.assertEqual(set(info), {"audio", "video"}, info)
        video, audio = info["video"], info["audio"]
        self.assertEqual((video["codec_name"], video["width"], video["height"]), ("h264", 640, 360))
        self.assertIn(video["profile"], ("Constrained Baseline", "Baseline"))
        self.assertEqual((audio["codec_name"], audio["profile"], audio["sample_rate"],
                          audio["channels"]), ("aac", "LC", "48000", 2))
        self.assertEqual(gst.decode_errors(received), "")
        # ... and is exactly the stream that was published: every packet, in order, unchanged.
        got, want = gst.packets(received), gst.packets(sent)
        for kind in ("video", "audio"):
            self.assertGreater(len(want[kind]), SECONDS * 20, f"{kind} packets sent")
            self.assertEqual(got[kind], want[kind], f"{kind} packets differ")
        self.assertEqual(int(video["nb_read_frames"]), len(want["video"]))
        self.assertEqual(int(audio["nb_read_frames"]), len(want["audio"]))
        print(f"\n  {sink_factory.__name__} {protocol}: {len(got['video'])} video + "
              f"{len(got['audio'])} audio packets played back bit-exact", flush=True)

    def assert_refused(self, d, sink_factory, code, started=None, **pipeline):
        rc, out, _ = self.publish(d, sink_factory, **pipeline)
        self.assertNotEqual(rc, 0, f"the publisher must be disconnected:\n{out}")
        events = d.wait_events("obs", 4)
        self.assertEqual(events[0], ("JOINED", ""))
        self.assertEqual(events[-3:],
                         [("PUBLISH_ERROR", code), ("PUBLISH_STOPPED", ""), ("LEFT", "")], events)
        if started is not None:
            self.assertEqual("PUBLISH_STARTED" in [e[0] for e in events], started, events)

    # --- plain RTMP ----------------------------------------------------------------------------
    def test_rtmp2sink_publishes_h264_aac_played_back_bit_exact(self):
        d = self.daemon(stages=DEMO)
        self.assert_published_and_played(d, gst.rtmp2sink)

    def test_rtmpsink_librtmp_publishes_h264_aac_played_back_bit_exact(self):
        d = self.daemon(stages=DEMO)
        self.assert_published_and_played(d, gst.rtmpsink)

    def test_rtmp2sink_with_b_frames_is_b_frame_present(self):
        # Main profile allowed, so the refusal comes from the slice types of the coded pictures.
        d = self.daemon(config={"media": {"video": {"profiles": ["baseline", "main", "high"]}}},
                        stages=DEMO)
        self.assert_refused(d, gst.rtmp2sink, "B_FRAME_PRESENT", bframes=2, profile="main")

    def test_rtmpsink_main_profile_with_b_frames_is_invalid_video_codec(self):
        d = self.daemon(stages=DEMO)
        self.assert_refused(d, gst.rtmpsink, "INVALID_VIDEO_CODEC", started=False, bframes=2,
                            profile="main")

    # --- RTMPS ---------------------------------------------------------------------------------
    def test_rtmp2sink_over_rtmps(self):
        d = self.rtmps_daemon()
        self.assert_published_and_played(d, rtmp2sink_trusting_the_test_ca, secure=True)

    def test_rtmpsink_librtmp_gnutls_over_rtmps(self):
        # librtmp's GnuTLS client does not verify the server certificate at all; what this shows is
        # that the gateway's TLS settings keep it working: librtmp fails its RTMP handshake when a
        # TLS 1.3 NewSessionTicket arrives after the TLS handshake (so the gateway sends none).
        d = self.rtmps_daemon()
        self.assert_published_and_played(d, gst.rtmpsink, secure=True)


if __name__ == "__main__":
    unittest.main()
