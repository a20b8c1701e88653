"""Protocol-level cases ffmpeg cannot produce, driven by the project's sg_push publisher."""
import os
import time
import unittest

from flv import read_tags, write_tags
from harness import TEST_DATA, GatewayTestCase, clip, framemd5, wait

DEMO = {"demo": [{"name": "obs"}, {"name": "cam2"}]}
BASELINE = os.path.join(TEST_DATA, "baseline_320x240.flv")


class ProtocolTest(GatewayTestCase):
    def test_hevc_over_enhanced_rtmp_is_invalid_video_codec(self):
        d = self.daemon(stages=DEMO)
        rc, out = wait(d.sg_push("obs", os.path.join(TEST_DATA, "hevc_ertmp.flv")))
        self.assertEqual(rc, 1, out)
        events = d.wait_events("obs", 4)
        self.assertEqual(events, [("JOINED", ""), ("PUBLISH_ERROR", "INVALID_VIDEO_CODEC"),
                                  ("PUBLISH_STOPPED", ""), ("LEFT", "")])

    def test_malformed_sequence_header_is_invalid_input(self):
        d = self.daemon(stages=DEMO)
        tags = read_tags(BASELINE)
        for tag in tags:
            if tag[0] == 9 and tag[2][1] == 0:  # AVC sequence header: cut the avcC short
                tag[2] = tag[2][:9]
                break
        bad = os.path.join(d.dir, "bad_avcc.flv")
        write_tags(bad, tags)
        rc, out = wait(d.sg_push("obs", bad))
        self.assertNotEqual(rc, 0, out)
        self.assertEqual(d.wait_events("obs", 4)[-3:], [("PUBLISH_ERROR", "INVALID_INPUT"),
                                                        ("PUBLISH_STOPPED", ""), ("LEFT", "")])

    def test_timestamps_crossing_the_32_bit_wrap_stay_up_and_monotonic(self):
        d = self.daemon(stages=DEMO)
        out_path = os.path.join(d.dir, "received.flv")
        player = d.play("obs", out_path)
        time.sleep(0.5)
        # Starts 3 s before 2^32 ms and plays the 3 s file three times: the wrap is crossed.
        rc, out = wait(d.sg_push("obs", BASELINE, "--ts-offset", str(2**32 - 3000), "--loop", "3"))
        self.assertEqual(rc, 0, out)
        self.assertEqual(wait(player)[0], 0)
        self.assertEqual([e[0] for e in d.wait_events("obs", 4)],
                         ["JOINED", "PUBLISH_STARTED", "PUBLISH_STOPPED", "LEFT"])
        got = framemd5(out_path)
        for stream, packets in got.items():
            pts = [p for p, _, _ in packets]
            self.assertEqual(pts, sorted(pts), f"stream {stream} is not monotonic")
            self.assertGreater(pts[-1] - pts[0], 8000, f"stream {stream} spans the three loops")
        self.assertGreater(len(got[0]), 200)  # three loops of 90 frames arrived

    def test_malformed_chunk_closes_only_that_connection(self):
        src = clip("valid_360p_8s", seconds=8)
        d = self.daemon(stages=DEMO)
        healthy = d.push("cam2", src)
        d.wait_events("cam2", 2)
        rc, out = wait(d.sg_push("obs", BASELINE, "--garbage-after", "1000"))
        self.assertEqual(rc, 0, "the gateway must close the connection that sent garbage: " + out)
        self.assertIn("rtmp.message_too_large", d.log())
        self.assertEqual([e[0] for e in d.wait_events("obs", 4)],
                         ["JOINED", "PUBLISH_STARTED", "PUBLISH_STOPPED", "LEFT"])
        rc, err = wait(healthy)
        self.assertEqual(rc, 0, "the other publisher is unaffected: " + err)
        self.assertEqual([e[0] for e in d.wait_events("cam2", 4)],
                         ["JOINED", "PUBLISH_STARTED", "PUBLISH_STOPPED", "LEFT"])


if __name__ == "__main__":
    unittest.main()
