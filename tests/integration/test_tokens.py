"""Participant tokens: CreateParticipantToken, and local-stage playback that requires one."""
import os
import time
import unittest

from harness import GatewayTestCase, clip, wait

DEMO = {"demo": [{"name": "obs"}], "other": [{"name": "cam"}]}


class TokenPlaybackTest(GatewayTestCase):
    def test_playback_needs_a_subscribe_token_for_the_stage(self):
        d = self.daemon(config={"playback": {"allow_loopback": False}}, stages=DEMO)
        c = d.boto3()
        stages = {s["name"]: s["arn"] for s in c.list_stages()["stages"]}
        tok = c.create_participant_token(stageArn=stages["demo"], userId="viewer-1",
                                         capabilities=["SUBSCRIBE"], duration=5,
                                         attributes={"seat": "12"})["participantToken"]
        self.assertEqual((tok["userId"], tok["capabilities"], tok["duration"], tok["attributes"]),
                         ("viewer-1", ["SUBSCRIBE"], 5, {"seat": "12"}))
        self.assertRegex(tok["participantId"], r"^[A-Za-z0-9]{12}$")
        publish_only = c.create_participant_token(stageArn=stages["demo"],
                                                  capabilities=["PUBLISH"])["participantToken"]["token"]
        other_stage = c.create_participant_token(stageArn=stages["other"])["participantToken"]["token"]
        tampered = tok["token"][:-3] + ("AAA" if tok["token"][-3:] != "AAA" else "BBB")
        with self.assertRaises(c.exceptions.ResourceNotFoundException):
            c.create_participant_token(stageArn=stages["demo"][:-12] + "AAAAAAAAAAAA")

        for bad in (None, publish_only, other_stage, tampered):
            rc, _ = wait(d.play("obs", os.path.join(d.dir, "x.flv"), token=bad), timeout=30)
            self.assertNotEqual(rc, 0, f"playback with token {bad and bad[:12]} must be refused")

        out = os.path.join(d.dir, "played.flv")
        player = d.play("obs", out, token=tok["token"])
        time.sleep(0.5)
        rc, err = wait(d.push("obs", clip("valid_360p_4s")))
        self.assertEqual(rc, 0, err)
        self.assertEqual(wait(player, timeout=30)[0], 0)
        self.assertGreater(os.path.getsize(out), 10000)


if __name__ == "__main__":
    unittest.main()
