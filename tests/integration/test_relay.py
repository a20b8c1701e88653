"""The rtmp stage endpoint: accepted media republished into nginx-rtmp, bit-exact, with reconnect."""
import os
import time
import unittest

from harness import GatewayTestCase, clip, framemd5, wait
from nginx import Nginx

DEMO = {"demo": [{"name": "obs", "user_id": "studio-a"}]}


def media_hashes(path):
    return {s: [(h, n) for _, h, n in pkts] for s, pkts in framemd5(path).items()}


class RelayTest(GatewayTestCase):
    def nginx(self, **kw):
        n = Nginx(**kw).start()
        self.addCleanup(n.stop)
        return n

    def relay_daemon(self, nginx, max_downtime="10s"):
        return self.daemon(config={"stage_endpoint": {
            "kind": "rtmp", "url": nginx.url_template(), "reconnect_initial": "200ms",
            "reconnect_max": "1s", "max_downtime": max_downtime}}, stages=DEMO)

    def test_relay_into_nginx_is_bit_exact(self):
        src = clip("valid_360p_8s", seconds=8)
        ngx = self.nginx()
        d = self.relay_daemon(ngx)
        rc, err = wait(d.push("obs", src))
        self.assertEqual(rc, 0, err)
        self.assertEqual([e[0] for e in d.wait_events("obs", 4)],
                         ["JOINED", "PUBLISH_STARTED", "PUBLISH_STOPPED", "LEFT"])
        time.sleep(0.5)  # nginx finishes the recording when the relay's stream ends
        recs = ngx.recordings()
        self.assertEqual(len(recs), 1, recs)
        stage_id = d.configuration("obs")["stage_arn"].rsplit("/", 1)[1]
        self.assertIn(f"{stage_id}-{d.participant_id('obs')}", os.path.basename(recs[0]))
        self.assertEqual(media_hashes(src), media_hashes(recs[0]))

    def test_relay_reconnects_when_nginx_restarts(self):
        src = clip("valid_360p_12s", seconds=12)
        ngx = self.nginx()
        d = self.relay_daemon(ngx)
        pusher = d.push("obs", src)
        d.wait_events("obs", 2)
        time.sleep(3)
        ngx.stop()
        time.sleep(1)
        ngx.start()
        rc, err = wait(pusher)
        self.assertEqual(rc, 0, err)
        events = d.wait_events("obs", 4)
        self.assertEqual([e[0] for e in events], ["JOINED", "PUBLISH_STARTED", "PUBLISH_STOPPED", "LEFT"])
        self.assertIn("relaying to the stage endpoint", d.log())
        self.assertGreaterEqual(d.log().count("relaying to the stage endpoint"), 2)
        time.sleep(0.5)
        recs = ngx.recordings()
        self.assertEqual(len(recs), 2, recs)
        # The stream after the reconnect is a decodable tail of the source: it starts at a keyframe
        # and its video packets are the source's, in order.
        sent = [h for h, _ in media_hashes(src)[0]]
        after = [h for h, _ in media_hashes(recs[1])[0]]
        self.assertGreater(len(after), 30)
        start = sent.index(after[0])
        self.assertEqual(start % 60, 0, "the relayed stream resumes on a keyframe")
        self.assertEqual(after, sent[start:start + len(after)])

    def test_nginx_kept_down_ends_the_publish_with_internal_server_exception(self):
        src = clip("valid_360p_12s", seconds=12)
        ngx = Nginx()  # never started: its port refuses connections
        d = self.relay_daemon(ngx, max_downtime="2s")
        rc, err = wait(d.push("obs", src))
        self.assertNotEqual(rc, 0, "the encoder must be disconnected")
        events = d.wait_events("obs", 5)
        self.assertEqual(events, [("JOINED", ""), ("PUBLISH_STARTED", ""),
                                  ("PUBLISH_ERROR", "INTERNAL_SERVER_EXCEPTION"),
                                  ("PUBLISH_STOPPED", ""), ("LEFT", "")])


if __name__ == "__main__":
    unittest.main()
