"""The samples work as documented: the sample configuration, its push/play scripts, --check-config."""
import os
import re
import subprocess
import tempfile
import unittest

from harness import STAGEGATE, Daemon, GatewayTestCase, framemd5

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SAMPLE = os.path.join(ROOT, "samples", "stagegate.yaml")


class SampleDaemon(Daemon):
    """The sample configuration, changed only to listen on a free port and keep state in a temp dir."""

    def __init__(self, test):
        super().__init__(test)
        with open(SAMPLE) as f:
            text = f.read()
        text = text.replace('bind: "127.0.0.1:1935"', 'bind: "127.0.0.1:0"', 1)
        text = text.replace('bind: "127.0.0.1:8080"', 'bind: "127.0.0.1:0"', 1)
        text = text.replace("path: var/stagegate.db", f"path: {self.db_path}", 1)
        with open(self.config_path, "w") as f:
            f.write(text)
        key = re.search(r"stream_key: (rt_\S+)", text).group(1)
        parts = key.split("_", 4)
        self.keys["obs"] = (parts[3], parts[4], key)


class SamplesTest(GatewayTestCase):
    def test_sample_push_and_play_scripts_work_against_the_sample_config(self):
        d = SampleDaemon(self).start()
        self.addCleanup(d.close)
        env = dict(os.environ, RTMP=f"127.0.0.1:{d.port}", DURATION="4")
        pid = subprocess.run([STAGEGATE, "--config", d.config_path, "--print-participant-id", "obs"],
                             capture_output=True, text=True, check=True).stdout.strip()
        self.assertEqual(pid, d.participant_id("obs"))
        # The sample requires a participant token for playback; its API credential makes one.
        import boto3
        api = boto3.client("ivs-realtime", endpoint_url=d.api, region_name="us-east-1",
                           aws_access_key_id="AKIASTAGEGATESAMPLE",
                           aws_secret_access_key=re.search(r"secret_access_key: (\S+)",
                                                           open(SAMPLE).read()).group(1))
        stage_arn = d.configuration("obs")["stage_arn"]
        token = api.create_participant_token(stageArn=stage_arn, capabilities=["SUBSCRIBE"])
        out = os.path.join(d.dir, "played.flv")
        refused = subprocess.run([os.path.join(ROOT, "samples", "ffmpeg-play.sh"), pid],
                                 env=dict(env, OUT=out), capture_output=True, text=True, timeout=30)
        self.assertNotEqual(refused.returncode, 0, "playback without a token is refused")
        player = subprocess.Popen([os.path.join(ROOT, "samples", "ffmpeg-play.sh"), pid],
                                  env=dict(env, OUT=out, TOKEN=token["participantToken"]["token"]),
                                  stderr=subprocess.PIPE, text=True)
        d.children.append(player)
        push = subprocess.run([os.path.join(ROOT, "samples", "ffmpeg-push.sh")], env=env,
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(push.returncode, 0, push.stderr)
        self.assertEqual(player.wait(timeout=30), 0, player.stderr.read())
        self.assertEqual([e[0] for e in d.wait_events("obs", 4)],
                         ["JOINED", "PUBLISH_STARTED", "PUBLISH_STOPPED", "LEFT"])
        got = framemd5(out)
        self.assertGreater(len(got[0]), 100)  # 4 s at 30 fps, less the start-up
        self.assertGreater(len(got[1]), 150)  # 4 s of 48 kHz AAC frames

    def test_check_config_accepts_the_sample(self):
        r = subprocess.run([STAGEGATE, "--check-config", SAMPLE], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("OK", r.stdout)
        self.assertNotIn("smkznvz1BI7EpoqT081mGxJjNzAqL3hv", r.stdout + r.stderr)

    def test_check_config_names_file_line_and_column(self):
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
            f.write("gateway:\n  region: us-east-1\n  pubic_host: 127.0.0.1\nmedia:\n  max_duration: forever\n")
        r = subprocess.run([STAGEGATE, "--check-config", f.name], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)
        self.assertIn(f"{f.name}:3:3:", r.stderr)
        self.assertIn("public_host", r.stderr)
        self.assertIn(f"{f.name}:5:17:", r.stderr)
        # The daemon refuses the same file at start-up with the same messages.
        r2 = subprocess.run([STAGEGATE, "--config", f.name], capture_output=True, text=True, timeout=10)
        self.assertEqual(r2.returncode, 2)
        self.assertIn(f"{f.name}:3:3:", r2.stderr)


if __name__ == "__main__":
    unittest.main()
