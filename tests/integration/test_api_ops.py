"""Ops endpoints, the live event stream, rate limits and crash recovery of the control API."""
import http.client
import json
import re
import signal
import threading
import time
import unittest
import urllib.request

from harness import API_KEY_ID, API_SECRET, REGION, GatewayTestCase, clip, wait

DEMO = {"demo": [{"name": "obs"}]}


def signed_get(d, path, secret=API_SECRET):
    """A GET signed with SigV4 exactly as botocore signs (service ivs)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    req = AWSRequest(method="GET", url=d.api + path)
    SigV4Auth(Credentials(API_KEY_ID, secret), "ivs", REGION).add_auth(req)
    host, port = d.api[len("http://"):].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.request("GET", path, headers=dict(req.headers.items()))
    return conn, conn.getresponse()


class OpsTest(GatewayTestCase):
    def test_healthz_and_metrics(self):
        d = self.daemon(stages=DEMO)
        with urllib.request.urlopen(d.api + "/healthz", timeout=10) as r:
            self.assertEqual(json.loads(r.read()), {"status": "ok"})
        pusher = d.push("obs", clip("valid_360p_4s"), loop=True)
        d.wait_events("obs", 2)
        d.boto3().list_stages()
        wait(d.push(d.keys["obs"][2][:-5] + "XXXXX", clip("valid_360p_4s")))  # wrong secret
        with urllib.request.urlopen(d.api + "/metrics", timeout=10) as r:
            self.assertIn("text/plain", r.headers["Content-Type"])
            text = r.read().decode()
        values = dict(re.findall(r"^(\S+) (\d+)$", text, re.M))
        self.assertEqual(values["stagegate_live_publishers"], "1")
        self.assertGreater(int(values["stagegate_rtmp_bytes_received_total"]), 20000)
        self.assertGreater(int(values["stagegate_rtmp_bytes_sent_total"]), 1000)
        self.assertGreaterEqual(int(values["stagegate_rtmp_connections_total"]), 2)
        self.assertEqual(values['stagegate_publish_refusals_total{code="INVALID_STREAM_KEY"}'], "1")
        self.assertEqual(values['stagegate_api_requests_total{operation="ListStages",status="200"}'], "1")
        self.assertNotIn(d.keys["obs"][1], text)
        pusher.kill()

    def test_live_event_stream_of_a_stage(self):
        d = self.daemon(stages=DEMO)
        stage = d.boto3().list_stages()["stages"][0]
        endpoint = d.boto3().get_stage(arn=stage["arn"])["stage"]["endpoints"]["events"]
        self.assertTrue(endpoint.startswith(d.api + "/events/"))
        path = endpoint[len(d.api):]
        _, refused = signed_get(d, path, secret="wrong-secret-wrong-secret")
        self.assertEqual(refused.status, 403)
        conn, resp = signed_get(d, path)
        self.assertEqual(resp.status, 200)
        self.assertIn("text/event-stream", resp.getheader("Content-Type"))
        events = []

        def read():
            for raw in resp:
                line = raw.decode().strip()
                if line.startswith("data: "):
                    events.append(json.loads(line[6:]))
                    if events[-1]["name"] == "LEFT":
                        return

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        rc, err = wait(d.push("obs", clip("valid_360p_4s")))
        self.assertEqual(rc, 0, err)
        reader.join(timeout=20)
        self.assertEqual([e["name"] for e in events], ["JOINED", "PUBLISH_STARTED", "PUBLISH_STOPPED", "LEFT"])
        self.assertEqual({e["participantId"] for e in events}, {d.participant_id("obs")})
        conn.close()
        _, missing = signed_get(d, "/events/AAAAAAAAAAAA")
        self.assertEqual(missing.status, 404)

    def test_rate_limits_answer_429_throttling_exception(self):
        d = self.daemon(config={"api": {"rate_limits": {"ListStages": 2}}})
        c = d.boto3()
        from botocore.exceptions import ClientError
        codes = []
        for _ in range(6):
            try:
                c.list_stages()
                codes.append(200)
            except ClientError as e:
                codes.append(e.response["ResponseMetadata"]["HTTPStatusCode"])
                self.assertEqual(e.response["Error"]["Code"], "ThrottlingException")
        self.assertIn(429, codes)
        self.assertEqual(codes[:2], [200, 200])
        c.list_ingest_configurations()  # other operations are not limited
        time.sleep(1.1)
        c.list_stages()  # the bucket refills


class CrashRecoveryTest(GatewayTestCase):
    def test_no_configuration_stays_active_after_kill_9(self):
        d = self.daemon(stages=DEMO)
        pusher = d.push("obs", clip("valid_360p_4s"), loop=True)
        d.wait_events("obs", 2)
        self.assertEqual(d.configuration("obs")["state"], "ACTIVE")
        d.proc.send_signal(signal.SIGKILL)
        d.proc.wait()
        d.log_file.close()
        wait(pusher)
        d.start()
        c = d.boto3()
        ic = c.list_ingest_configurations()["ingestConfigurations"][0]
        self.assertEqual(ic["state"], "INACTIVE")
        stage = c.list_stages()["stages"][0]
        self.assertNotIn("activeSessionId", stage)
        # The key publishes again after the restart.
        rc, err = wait(d.push("obs", clip("valid_360p_4s")))
        self.assertEqual(rc, 0, err)


if __name__ == "__main__":
    unittest.main()
