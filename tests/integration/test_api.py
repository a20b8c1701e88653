"""The control API driven by the unmodified AWS CLI and boto3 against the real daemon."""
import signal
import subprocess
import time
import unittest

from harness import API_KEY_ID, API_SECRET, GatewayTestCase, clip, wait


class IngestConfigurationLifecycleTest(GatewayTestCase):
    def test_lifecycle_with_the_aws_cli_and_a_live_ffmpeg_publisher(self):
        d = self.daemon()
        stage = d.aws("create-stage", "--name", "studio")["stage"]
        self.assertTrue(stage["endpoints"]["rtmp"].startswith(f"rtmp://127.0.0.1:{d.port}/app/"))
        ic = d.aws("create-ingest-configuration", "--name", "obs", "--stage-arn", stage["arn"],
                   "--ingest-protocol", "RTMP", "--insecure-ingest", "--user-id", "studio-a",
                   "--attributes", "role=camera")["ingestConfiguration"]
        self.assertEqual(ic["state"], "INACTIVE")
        self.assertRegex(ic["streamKey"], r"^rt_123456789012_us-east-1_[A-Za-z0-9]{12}_[A-Za-z0-9]{32}$")
        secret = ic["streamKey"].rsplit("_", 1)[1]
        d.keys["api-obs"] = (ic["arn"].rsplit("/", 1)[1], secret, ic["streamKey"])

        pusher = d.push(ic["streamKey"], clip("valid_360p_4s"), loop=True)
        deadline = time.time() + 15
        while time.time() < deadline:
            got = d.aws("get-ingest-configuration", "--arn", ic["arn"])["ingestConfiguration"]
            if got["state"] == "ACTIVE":
                break
            time.sleep(0.2)
        self.assertEqual(got["state"], "ACTIVE")
        self.assertEqual(d.aws("get-stage", "--arn", stage["arn"])["stage"]["activeSessionId"][:3], "st-")

        r = d.aws("update-ingest-configuration", "--arn", ic["arn"], "--stage-arn", stage["arn"],
                  check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("ConflictException", r.stderr)
        r = d.aws("delete-ingest-configuration", "--arn", ic["arn"], check=False)
        self.assertIn("ConflictException", r.stderr)

        active = d.aws("list-ingest-configurations", "--filter-by-state", "ACTIVE")["ingestConfigurations"]
        self.assertEqual([c["arn"] for c in active], [ic["arn"]])
        self.assertNotIn("streamKey", active[0])
        self.assertEqual(d.aws("list-ingest-configurations", "--filter-by-state", "INACTIVE")
                         ["ingestConfigurations"], [])
        by_stage = d.aws("list-ingest-configurations", "--filter-by-stage-arn", stage["arn"])
        self.assertEqual(len(by_stage["ingestConfigurations"]), 1)

        d.aws("delete-ingest-configuration", "--arn", ic["arn"], "--force")
        rc, _ = wait(pusher)
        self.assertNotEqual(rc, 0, "the forced delete disconnects the encoder")
        r = d.aws("get-ingest-configuration", "--arn", ic["arn"], check=False)
        self.assertIn("ResourceNotFoundException", r.stderr)

        names = [n for n, _ in d.query(
            "SELECT name, error_code FROM participant_events WHERE participant_id = ? ORDER BY seq",
            (ic["participantId"],))]
        self.assertEqual(names, ["JOINED", "PUBLISH_STARTED", "PUBLISH_STOPPED", "LEFT"])


class ErrorsTest(GatewayTestCase):
    def test_typed_exceptions_through_boto3(self):
        d = self.daemon()
        c = d.boto3()
        stage = c.create_stage(name="s")["stage"]
        with self.assertRaises(c.exceptions.ValidationException) as e:
            c.create_ingest_configuration(ingestProtocol="RTMP", insecureIngest=False)
        self.assertIn("insecureIngest", e.exception.response["Error"]["Message"])
        self.assertIn("insecureIngest", e.exception.response["exceptionMessage"])
        self.assertTrue(e.exception.response["ResponseMetadata"]["RequestId"])
        with self.assertRaises(c.exceptions.ValidationException) as e:
            c.create_ingest_configuration(ingestProtocol="FOO")
        self.assertIn("'ingestProtocol'", e.exception.response["Error"]["Message"])
        with self.assertRaises(c.exceptions.ValidationException) as e:
            c.list_stages(maxResults=101)
        self.assertIn("'maxResults'", e.exception.response["Error"]["Message"])
        with self.assertRaises(c.exceptions.ValidationException) as e:
            c.create_stage(tags={f"k{i}": "v" for i in range(51)})
        self.assertIn("'tags'", e.exception.response["Error"]["Message"])
        with self.assertRaises(c.exceptions.ValidationException) as e:
            c.create_ingest_configuration(ingestProtocol="RTMPS", attributes={"a": "x" * 1100})
        self.assertIn("1 KB", e.exception.response["Error"]["Message"])
        with self.assertRaises(c.exceptions.ValidationException):
            c.list_ingest_configurations(filterByStageArn=stage["arn"], filterByState="ACTIVE")
        missing = stage["arn"][:-12] + "AAAAAAAAAAAA"
        with self.assertRaises(c.exceptions.ResourceNotFoundException):
            c.get_stage(arn=missing)
        with self.assertRaises(c.exceptions.ResourceNotFoundException):
            c.get_ingest_configuration(arn="arn:aws:ivs:us-east-1:123456789012:ingest-configuration/AAAAAAAAAAAA")

    def test_quotas_answer_402_service_quota_exceeded(self):
        d = self.daemon(config={"limits": {"stages": 2, "ingest_configurations": 1}})
        c = d.boto3()
        c.create_stage(name="a")
        c.create_stage(name="b")
        with self.assertRaises(c.exceptions.ServiceQuotaExceededException) as e:
            c.create_stage(name="c")
        self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], 402)
        c.create_ingest_configuration(ingestProtocol="RTMPS")
        with self.assertRaises(c.exceptions.ServiceQuotaExceededException):
            c.create_ingest_configuration(ingestProtocol="RTMPS")

    def test_unsupported_operation_is_named(self):
        d = self.daemon()
        c = d.boto3()
        with self.assertRaises(c.exceptions.ClientError) as e:
            c.list_compositions()
        self.assertIn("ListCompositions", e.exception.response["Error"]["Message"])
        self.assertIn("not supported", e.exception.response["Error"]["Message"])


class SigV4Test(GatewayTestCase):
    def test_wrong_secret_unknown_key_and_unsigned_requests_are_refused(self):
        d = self.daemon()
        from botocore.exceptions import ClientError
        with self.assertRaises(ClientError) as e:
            d.boto3(secret="not-the-secret").list_stages()
        self.assertEqual(e.exception.response["Error"]["Code"], "InvalidSignatureException")
        self.assertEqual(e.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)
        with self.assertRaises(ClientError) as e:
            d.boto3(key_id="AKIAUNKNOWN000000000").list_stages()
        self.assertEqual(e.exception.response["Error"]["Code"], "UnrecognizedClientException")
        r = subprocess.run(["aws", "ivs-realtime", "list-stages", "--no-sign-request",
                            "--endpoint-url", d.api], capture_output=True, text=True, env=d.aws_env())
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("MissingAuthenticationTokenException", r.stderr)
        self.assertNotIn(API_SECRET, d.log())


class PaginationTest(GatewayTestCase):
    def test_more_than_100_stages_page_stably_under_inserts(self):
        d = self.daemon()
        c = d.boto3()
        arns = [c.create_stage(name=f"s{i}")["stage"]["arn"] for i in range(120)]
        first = c.list_stages()
        self.assertEqual(len(first["stages"]), 50)
        c.create_stage(name="late")  # an insert between pages neither repeats nor skips items
        seen = [s["arn"] for s in first["stages"]]
        token = first["nextToken"]
        while token:
            page = c.list_stages(nextToken=token, maxResults=100)
            seen += [s["arn"] for s in page["stages"]]
            token = page.get("nextToken")
        self.assertEqual(seen[:120], arns)
        self.assertEqual(len(seen), 121)
        ics = [c.create_ingest_configuration(ingestProtocol="RTMPS")["ingestConfiguration"]["arn"]
               for _ in range(15)]
        paged = [x["arn"] for p in c.get_paginator("list_ingest_configurations").paginate(
                 PaginationConfig={"PageSize": 4}) for x in p["ingestConfigurations"]]
        self.assertEqual(paged, ics)
        with self.assertRaises(c.exceptions.ValidationException):
            c.list_stages(nextToken="bm90LWEtdG9rZW4")


class DurabilityTest(GatewayTestCase):
    def test_acknowledged_writes_survive_kill_9(self):
        d = self.daemon()
        c = d.boto3()
        arns = [c.create_stage(name=f"s{i}")["stage"]["arn"] for i in range(20)]
        ic = c.create_ingest_configuration(ingestProtocol="RTMPS", name="x")["ingestConfiguration"]
        d.proc.send_signal(signal.SIGKILL)
        d.proc.wait()
        d.log_file.close()
        d.start()
        c = d.boto3()
        listed = [s["arn"] for s in c.list_stages(maxResults=100)["stages"]]
        self.assertEqual(listed, arns)
        self.assertEqual(c.get_ingest_configuration(arn=ic["arn"])["ingestConfiguration"]["streamKey"],
                         ic["streamKey"])


if __name__ == "__main__":
    unittest.main()
