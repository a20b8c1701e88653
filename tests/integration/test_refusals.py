"""Refusals at publish time: each is a JOIN_ERROR with its code, and the encoder is disconnected."""
import signal
import time
import unittest

from harness import GatewayTestCase, clip, new_stream_key, wait

DEMO = {"demo": [{"name": "obs", "user_id": "studio-a"}]}


class RefusalTest(GatewayTestCase):
    def assert_refused(self, d, pusher, code):
        rc, err = wait(pusher)
        self.assertNotEqual(rc, 0, "the encoder must be disconnected")
        self.assertIn(code, err, "the refusal's onStatus names the error code")

    def test_wrong_secret_is_invalid_stream_key(self):
        d = self.daemon(stages=DEMO)
        cid, _, _ = d.keys["obs"]
        wrong = f"rt_123456789012_us-east-1_{cid}_{new_stream_key()[1]}"
        self.assert_refused(d, d.push(wrong, clip("valid_360p_4s")), "INVALID_STREAM_KEY")
        self.assertEqual(d.wait_events("obs", 1), [("JOIN_ERROR", "INVALID_STREAM_KEY")])
        self.assertNotIn(wrong.rsplit("_", 1)[1], d.log())

    def test_unknown_configuration_leaves_a_log_line_and_no_event(self):
        d = self.daemon(stages=DEMO)
        self.assert_refused(d, d.push(new_stream_key()[2], clip("valid_360p_4s")), "INVALID_STREAM_KEY")
        self.assertIn("stream key matches no ingest configuration", d.log())
        self.assertEqual(d.query("SELECT COUNT(*) FROM participant_events"), [(0,)])

    def test_plain_rtmp_on_an_rtmps_configuration_is_invalid_protocol(self):
        d = self.daemon(stages={"demo": [{"name": "secure", "ingest_protocol": "RTMPS",
                                          "insecure_ingest": False}]})
        self.assert_refused(d, d.push("secure", clip("valid_360p_4s")), "INVALID_PROTOCOL")
        self.assertEqual(d.wait_events("secure", 1), [("JOIN_ERROR", "INVALID_PROTOCOL")])

    def test_second_encoder_on_a_live_key_is_reuse_of_stream_key(self):
        src = clip("valid_360p_8s", seconds=8)
        d = self.daemon(stages=DEMO)
        first = d.push("obs", src)
        d.wait_events("obs", 2)
        self.assert_refused(d, d.push("obs", src), "REUSE_OF_STREAM_KEY")
        rc, err = wait(first)
        self.assertEqual(rc, 0, "the incumbent keeps publishing: " + err)
        self.assertEqual([e for e in d.wait_events("obs", 5)],
                         [("JOINED", ""), ("PUBLISH_STARTED", ""),
                          ("JOIN_ERROR", "REUSE_OF_STREAM_KEY"), ("PUBLISH_STOPPED", ""), ("LEFT", "")])

    def test_silent_incumbent_is_taken_over(self):
        src = clip("valid_360p_8s", seconds=8)
        d = self.daemon(stages=DEMO)
        ghost = d.push("obs", src)
        d.wait_events("obs", 2)
        ghost.send_signal(signal.SIGSTOP)  # the connection stays open, no more media: a ghost
        self.addCleanup(lambda: ghost.poll() is None and ghost.send_signal(signal.SIGCONT))
        time.sleep(2.0)  # longer than the 1.5 s takeover window
        rc, err = wait(d.push("obs", src))
        self.assertEqual(rc, 0, "the newcomer publishes: " + err)
        ghost.send_signal(signal.SIGCONT)
        wait(ghost)
        names = [e[0] for e in d.wait_events("obs", 8)]
        self.assertEqual(names, ["JOINED", "PUBLISH_STARTED", "PUBLISH_STOPPED", "LEFT",
                                 "JOINED", "PUBLISH_STARTED", "PUBLISH_STOPPED", "LEFT"])

    def test_publisher_limit_per_stage_is_quota_exceeded(self):
        src = clip("valid_360p_8s", seconds=8)
        d = self.daemon(config={"limits": {"publishers_per_stage": 1}},
                        stages={"demo": [{"name": "cam1"}, {"name": "cam2"}]})
        first = d.push("cam1", src)
        d.wait_events("cam1", 2)
        self.assert_refused(d, d.push("cam2", src), "QUOTA_EXCEEDED")
        self.assertEqual(d.wait_events("cam2", 1), [("JOIN_ERROR", "QUOTA_EXCEEDED")])
        self.assertEqual(wait(first)[0], 0)

    def test_repeated_failures_from_one_address_are_throttled(self):
        d = self.daemon(config={"limits": {"auth_failures_before_throttle": 3}}, stages=DEMO)
        src = clip("valid_360p_4s")
        for _ in range(3):
            self.assert_refused(d, d.push(new_stream_key()[2], src), "INVALID_STREAM_KEY")
        # Even the right key is refused while the address is throttled.
        self.assert_refused(d, d.push("obs", src), "THROTTLED")
        self.assertEqual(d.events("obs"), [])


if __name__ == "__main__":
    unittest.main()
