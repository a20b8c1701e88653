"""API semantics that involve live publishers, and SigV4 refusals sent to the real daemon."""
import datetime
import http.client
import json
import subprocess
import unittest
from unittest import mock

from harness import API_KEY_ID, API_SECRET, REGION, GatewayTestCase, clip, wait


def send_signed(d, operation, body, when=None, tamper=None):
    """POST /<operation> signed by botocore's SigV4Auth (at `when`), then optionally tampered."""
    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    data = json.dumps(body)
    req = AWSRequest(method="POST", url=f"{d.api}/{operation}", data=data,
                     headers={"Content-Type": "application/json"})
    with mock.patch.object(botocore.auth, "get_current_datetime",
                           return_value=when or datetime.datetime.utcnow()):
        botocore.auth.SigV4Auth(Credentials(API_KEY_ID, API_SECRET), "ivs", REGION).add_auth(req)
    if tamper:
        data = tamper(data)
    host, port = d.api[len("http://"):].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    headers = dict(req.headers.items())
    headers["Content-Length"] = str(len(data))
    conn.request("POST", f"/{operation}", body=data, headers=headers)
    r = conn.getresponse()
    return r.status, r.getheader("x-amzn-ErrorType"), json.loads(r.read() or b"{}")


class SemanticsTest(GatewayTestCase):
    def test_delete_stage_disconnects_participants_and_clears_stage_arn(self):
        d = self.daemon(stages={"demo": [{"name": "obs"}]})
        c = d.boto3()
        stage = c.list_stages()["stages"][0]["arn"]
        pusher = d.push("obs", clip("valid_360p_4s"), loop=True)
        d.wait_events("obs", 2)
        c.delete_stage(arn=stage)
        rc, _ = wait(pusher)
        self.assertNotEqual(rc, 0, "the encoder is disconnected")
        self.assertEqual([e[0] for e in d.wait_events("obs", 4)],
                         ["JOINED", "PUBLISH_STARTED", "PUBLISH_STOPPED", "LEFT"])
        ic = c.list_ingest_configurations()["ingestConfigurations"][0]
        self.assertEqual((ic["stageArn"], ic["state"]), ("", "INACTIVE"))
        with self.assertRaises(c.exceptions.ResourceNotFoundException):
            c.get_stage(arn=stage)

    def test_update_re_points_a_configuration_to_another_stage(self):
        d = self.daemon(stages={"a": [{"name": "obs"}], "b": []})
        c = d.boto3()
        stages = {s["name"]: s["arn"] for s in c.list_stages()["stages"]}
        ic = c.list_ingest_configurations()["ingestConfigurations"][0]
        self.assertEqual(ic["stageArn"], stages["a"])
        out = c.update_ingest_configuration(arn=ic["arn"], stageArn=stages["b"])
        self.assertEqual(out["ingestConfiguration"]["stageArn"], stages["b"])
        rc, err = wait(d.push("obs", clip("valid_360p_4s")))
        self.assertEqual(rc, 0, err)
        sessions = c.list_stage_sessions(stageArn=stages["b"])["stageSessions"]
        self.assertEqual(len(sessions), 1)
        self.assertEqual(c.list_stage_sessions(stageArn=stages["a"])["stageSessions"], [])
        with self.assertRaises(c.exceptions.ResourceNotFoundException):
            c.update_ingest_configuration(arn=ic["arn"], stageArn=stages["b"][:-12] + "AAAAAAAAAAAA")

    def test_sigv4_tampered_body_and_expired_date_are_refused(self):
        d = self.daemon()
        status, etype, _ = send_signed(d, "CreateStage", {"name": "ok"})
        self.assertEqual((status, etype), (200, None))
        status, etype, body = send_signed(d, "CreateStage", {"name": "a"},
                                          tamper=lambda s: s.replace('"a"', '"b"'))
        self.assertEqual((status, etype), (403, "InvalidSignatureException"))
        self.assertEqual(body["message"], body["exceptionMessage"])
        past = datetime.datetime.utcnow() - datetime.timedelta(minutes=6)
        status, etype, body = send_signed(d, "CreateStage", {"name": "late"}, when=past)
        self.assertEqual((status, etype), (403, "InvalidSignatureException"))
        self.assertIn("Signature expired", body["message"])
        self.assertEqual([s["name"] for s in d.boto3().list_stages()["stages"]], ["ok"])

    def test_anonymous_access_when_enabled_on_loopback(self):
        d = self.daemon(config={"api": {"allow_anonymous": True, "credentials": []}})
        r = subprocess.run(["aws", "ivs-realtime", "create-stage", "--name", "anon", "--no-sign-request",
                            "--endpoint-url", d.api], capture_output=True, text=True, env=d.aws_env())
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["stage"]["name"], "anon")


if __name__ == "__main__":
    unittest.main()
