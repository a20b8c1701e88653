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
        session_id = d.aws("get-stage", "--arn", stage["arn"])["stage"]["activeSessionId"]
        self.assertRegex(session_id, r"^st-[A-Za-z0-9]{13}$")
        participant = d.aws("get-participant", "--stage-arn", stage["arn"], "--session-id", session_id,
                            "--participant-id", ic["participantId"])["participant"]
        self.assertEqual((participant["state"], participant["protocol"], participant["userId"],
                          participant["attributes"], participant["ingestConfigurationArn"]),
                         ("CONNECTED", "RTMP", "studio-a", {"role": "camera"}, ic["arn"]))

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

        events = d.aws("list-participant-events", "--stage-arn", stage["arn"], "--session-id",
                       session_id, "--participant-id", ic["participantId"])["events"]
        self.assertEqual([e["name"] for e in events],
                         ["JOINED", "PUBLISH_STARTED", "PUBLISH_STOPPED", "LEFT"])
        self.assertTrue(all("errorCode" not in e for e in events))


class StageStateTest(GatewayTestCase):
    def test_sessions_participants_events_and_disconnect_through_boto3(self):
        d = self.daemon(stages={"demo": [{"name": "obs", "user_id": "studio-a"}, {"name": "cam2"}]})
        c = d.boto3()
        stage = c.list_stages()["stages"][0]
        obs = d.configuration("obs")
        cfg_arn = f"arn:aws:ivs:us-east-1:123456789012:ingest-configuration/{obs['id']}"
        pusher = d.push("obs", clip("valid_360p_4s"), loop=True)
        d.wait_events("obs", 2)
        session_id = c.get_stage(arn=stage["arn"])["stage"]["activeSessionId"]
        sessions = c.list_stage_sessions(stageArn=stage["arn"])["stageSessions"]
        self.assertEqual([x["sessionId"] for x in sessions], [session_id])
        self.assertNotIn("endTime", sessions[0])
        self.assertEqual(c.get_stage_session(stageArn=stage["arn"], sessionId=session_id)
                         ["stageSession"]["sessionId"], session_id)
        parts = c.list_participants(stageArn=stage["arn"], sessionId=session_id)["participants"]
        self.assertEqual([(p["participantId"], p["state"], p["published"]) for p in parts],
                         [(obs["participant_id"], "CONNECTED", True)])
        for f in ({"filterByUserId": "studio-a"}, {"filterByPublished": True},
                  {"filterByState": "CONNECTED"}):
            self.assertEqual(len(c.list_participants(stageArn=stage["arn"], sessionId=session_id, **f)
                                 ["participants"]), 1, f)
        for f in ({"filterByUserId": "nobody"}, {"filterByPublished": False},
                  {"filterByState": "DISCONNECTED"}, {"filterByRecordingState": "ACTIVE"}):
            self.assertEqual(c.list_participants(stageArn=stage["arn"], sessionId=session_id, **f)
                             ["participants"], [], f)
        with self.assertRaises(c.exceptions.ValidationException):
            c.list_participants(stageArn=stage["arn"], sessionId=session_id, filterByUserId="a",
                                filterByState="CONNECTED")

        c.disconnect_participant(stageArn=stage["arn"], participantId=obs["participant_id"],
                                 reason="maintenance")
        rc, _ = wait(pusher)
        self.assertNotEqual(rc, 0, "the encoder is disconnected")
        self.assertEqual(c.get_ingest_configuration(arn=cfg_arn)["ingestConfiguration"]["stageArn"], "")
        events = c.list_participant_events(stageArn=stage["arn"], sessionId=session_id,
                                           participantId=obs["participant_id"])["events"]
        self.assertEqual([e["name"] for e in events], ["JOINED", "PUBLISH_STARTED", "PUBLISH_STOPPED", "LEFT"])
        p = c.get_participant(stageArn=stage["arn"], sessionId=session_id,
                              participantId=obs["participant_id"])["participant"]
        self.assertEqual((p["state"], p["published"]), ("DISCONNECTED", True))
        with self.assertRaises(c.exceptions.ResourceNotFoundException):
            c.disconnect_participant(stageArn=stage["arn"], participantId=obs["participant_id"])
        # With no stage, the key cannot publish any more.
        rc, err = wait(d.push("obs", clip("valid_360p_4s")))
        self.assertNotEqual(rc, 0)

    def test_tags(self):
        d = self.daemon()
        c = d.boto3()
        arn = c.create_stage(name="s", tags={"a": "1"})["stage"]["arn"]
        c.tag_resource(resourceArn=arn, tags={"b": "2", "c": "3"})
        c.untag_resource(resourceArn=arn, tagKeys=["a", "c"])
        self.assertEqual(c.list_tags_for_resource(resourceArn=arn)["tags"], {"b": "2"})
        self.assertEqual(c.get_stage(arn=arn)["stage"]["tags"], {"b": "2"})
        ic = c.create_ingest_configuration(ingestProtocol="RTMPS")["ingestConfiguration"]["arn"]
        c.tag_resource(resourceArn=ic, tags={"x": "y"})
        self.assertEqual(c.list_tags_for_resource(resourceArn=ic)["tags"], {"x": "y"})
        with self.assertRaises(c.exceptions.ValidationException):
            c.tag_resource(resourceArn=arn, tags={f"k{i}": "v" for i in range(50)})
        with self.assertRaises(c.exceptions.ResourceNotFoundException):
            c.list_tags_for_resource(resourceArn=arn[:-12] + "AAAAAAAAAAAA")
        r = d.aws("list-tags-for-resource", "--resource-arn", arn)
        self.assertEqual(r["tags"], {"b": "2"})


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
