"""A valid stream end to end: accepted, events in order, a local-stage subscriber gets every packet."""
import json
import os
import signal
import time
import unittest

from harness import GatewayTestCase, assert_same_packets, clip, framemd5, wait

DEMO = {"demo": [{"name": "obs", "user_id": "studio-a"}]}


class PublishTest(GatewayTestCase):
    def test_valid_720p30_baseline_is_accepted_and_played_bit_exact(self):
        src = clip("valid_720p30", size="1280x720", rate=30, seconds=4, vbitrate="1500k")
        d = self.daemon(stages=DEMO)
        out = os.path.join(d.dir, "received.flv")
        player = d.play("obs", out)
        time.sleep(0.5)  # the player waits on the participant until it publishes
        rc, err = wait(d.push("obs", src))
        self.assertEqual(rc, 0, err)
        prc, perr = wait(player, timeout=30)
        self.assertEqual(prc, 0, perr)

        events = d.wait_events("obs", 4)
        self.assertEqual([e[0] for e in events], ["JOINED", "PUBLISH_STARTED", "PUBLISH_STOPPED", "LEFT"])
        self.assertTrue(all(code == "" for _, code in events))
        self.assertEqual(d.configuration("obs")["state"], "INACTIVE")

        assert_same_packets(self, src, out, min_packets=50)

    def test_configuration_is_active_while_publishing(self):
        src = clip("valid_360p_8s", seconds=8)
        d = self.daemon(stages=DEMO)
        pusher = d.push("obs", src)
        d.wait_events("obs", 2)
        self.assertEqual(d.configuration("obs")["state"], "ACTIVE")
        rc, err = wait(pusher)
        self.assertEqual(rc, 0, err)
        d.wait_events("obs", 4)
        self.assertEqual(d.configuration("obs")["state"], "INACTIVE")

    def test_late_subscriber_starts_at_the_last_keyframe(self):
        src = clip("valid_360p_8s", seconds=8)
        d = self.daemon(stages=DEMO)
        pusher = d.push("obs", src)
        d.wait_events("obs", 2)
        time.sleep(2.5)
        out = os.path.join(d.dir, "late.flv")
        prc, perr = wait(d.play("obs", out), timeout=30)
        wait(pusher)
        self.assertEqual(prc, 0, perr)
        got = framemd5(out)
        sent = framemd5(src)
        video = 0
        first = got[video][0]
        # The first video packet received is a keyframe of the source (GOP cache), and everything
        # after it is the source's sequence from there on.
        hashes = [h for _, h, _ in sent[video]]
        start = hashes.index(first[1])
        self.assertEqual(start % 60, 0, "the subscriber must start on a keyframe (GOP of 60)")
        self.assertEqual([h for _, h, _ in got[video]], hashes[start:start + len(got[video])])

    def test_sigterm_ends_live_publishes_cleanly(self):
        src = clip("valid_360p_8s", seconds=8)
        d = self.daemon(stages=DEMO)
        pusher = d.push("obs", src)
        d.wait_events("obs", 2)
        self.assertEqual(d.stop(signal.SIGTERM), 0)
        wait(pusher)
        self.assertEqual([e[0] for e in d.events("obs")],
                         ["JOINED", "PUBLISH_STARTED", "PUBLISH_STOPPED", "LEFT"])
        self.assertEqual(d.configuration("obs")["state"], "INACTIVE")

    def test_json_logs_are_one_object_per_line_with_the_events(self):
        d = self.daemon(config={"gateway": {"log_format": "json"}}, stages=DEMO)
        rc, err = wait(d.push("obs", clip("valid_360p_4s")))
        self.assertEqual(rc, 0, err)
        d.wait_events("obs", 4)
        d.stop()
        lines = [json.loads(line) for line in d.log().splitlines() if line.strip()]
        events = [l["msg"] for l in lines if l["msg"].startswith("event=")]
        self.assertEqual(len(events), 4)
        self.assertIn(f"participant={d.participant_id('obs')}", events[0])


if __name__ == "__main__":
    unittest.main()
