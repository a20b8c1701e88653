"""Integration harness: starts the real stagegate daemon on port 0 and drives it with real ffmpeg.

Every test gets its own temporary directory (configuration, SQLite state, logs). Media clips are
encoded once per run with ffmpeg (lavfi testsrc2 + sine; libx264 + aac) into a shared cache and
pushed with `-c copy`, so the CPU goes to the gateway and the source packets are known exactly.
"""
import itertools
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import string
import subprocess
import tempfile
import time
import unittest

STAGEGATE = os.environ.get("STAGEGATE_BIN", "stagegate")
SG_PUSH = os.environ.get("STAGEGATE_PUSH_BIN", "sg_push")
TEST_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "validation", "data")
MEDIA_CACHE = os.environ.get("STAGEGATE_MEDIA_CACHE", os.path.join(tempfile.gettempdir(), "stagegate-media"))
ACCOUNT = "123456789012"
API_KEY_ID = "AKIASTAGEGATETEST"
API_SECRET = "integrationTestSecretKey0123456789abcdef"
REGION = "us-east-1"


# --- Logs kept for the suite-wide secrets scan (tests/integration/secrets_scan.py) -------------
# With STAGEGATE_LOG_DIR set (CTest sets it), every daemon log and the output of the clients that
# wait() reaps are copied to LOG_DIR/logs/<module>/<Class.test>/, named after the test and a
# counter only, and every secret the harness knows (stream-key secrets it made, was given or read
# from a daemon's store; SigV4 secret keys of the configurations) goes to LOG_DIR/secrets/<pid>.tsv.
# The scan, the last integration test, reads both and fails if any secret appears in any log.
LOG_DIR = os.environ.get("STAGEGATE_LOG_DIR")
SANITIZER_REPORT = re.compile(r"^==\d+==ERROR: \w+Sanitizer|runtime error: |^SUMMARY: \w+Sanitizer",
                              re.M)
MIN_SECRET_LEN = 16  # shorter strings are not secrets of ours and would match by chance
_secrets = {}  # secret -> kind
_daemon_numbers = itertools.count(1)


def record_secret(kind, secret):
    if isinstance(secret, str) and len(secret) >= MIN_SECRET_LEN:
        _secrets.setdefault(secret, kind)


def record_stream_key(key):
    parts = key.split("_", 4) if isinstance(key, str) else []
    if len(parts) == 5 and parts[0] == "rt":
        record_secret("stream-key secret", parts[4])


def record_answer(value):
    """Records every streamKey in an API answer (parsed JSON), however deeply nested."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "streamKey":
                record_stream_key(v)
            else:
                record_answer(v)
    elif isinstance(value, list):
        for v in value:
            record_answer(v)


def write_secrets():
    if not LOG_DIR:
        return
    folder = os.path.join(LOG_DIR, "secrets")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{os.getpid()}.tsv")
    with open(path + ".tmp", "w") as f:
        f.writelines(f"{kind}\t{secret}\n" for secret, kind in _secrets.items())
    os.replace(path + ".tmp", path)


def kept_path(test, name):
    """LOG_DIR/logs/<module>/<Class.test>/<name>; None without LOG_DIR."""
    if not LOG_DIR:
        return None
    module, _, rest = test.id().partition(".")
    folder = os.path.join(LOG_DIR, "logs", module, rest or "-")
    os.makedirs(folder, exist_ok=True)
    return os.path.join(folder, name)


def keep_client_output(proc, out, err):
    """Keeps what a client the harness started printed; the key it was given is redacted from
    the URL it echoes (ffmpeg prints its output URL), so only a key sent back by the gateway (an
    error text, a status description) remains for the scan to find."""
    keep = getattr(proc, "sg_keep", None)
    if not keep:
        return
    path, url = keep
    with open(path, "w") as f:
        for text in (out, err):
            if text:
                f.write(text.replace(url, "<the URL given to the client>") if url else text)


record_secret("sigv4 secret access key", API_SECRET)


def merge(into, extra):
    for k, v in extra.items():
        if isinstance(v, dict) and isinstance(into.get(k), dict):
            merge(into[k], v)
        else:
            into[k] = v


def alnum(n):
    rng = random.SystemRandom()
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(n))


def new_stream_key():
    """An operator-supplied key in the IVS format (the test then knows the secret to grep for)."""
    cid = alnum(12)
    secret = alnum(32)
    record_secret("stream-key secret", secret)
    return cid, secret, f"rt_{ACCOUNT}_{REGION}_{cid}_{secret}"


def clip(name, size="640x360", rate=30, seconds=4, profile="baseline", bf=0, gop=None,
         vcodec="libx264", vbitrate="800k", audio="aac", abitrate="96k", arate=48000, achannels=2,
         extra=()):
    """Encodes (once) a short FLV clip and returns its path."""
    os.makedirs(MEDIA_CACHE, exist_ok=True)
    path = os.path.join(MEDIA_CACHE, name + ".flv")
    if os.path.exists(path):
        return path
    gop = gop or rate * 2
    cmd = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
           "-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}",
           "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate={arate}",
           "-t", str(seconds)]
    if vcodec == "libx264":
        cmd += ["-c:v", "libx264", "-preset", "veryfast", "-profile:v", profile, "-bf", str(bf),
                "-g", str(gop), "-keyint_min", str(gop), "-sc_threshold", "0",
                "-b:v", vbitrate, "-maxrate", vbitrate, "-bufsize", vbitrate,
                "-x264-params", "sliced-threads=0", "-pix_fmt", "yuv420p"]
    else:
        cmd += ["-c:v", vcodec]
    if audio is None:
        cmd += ["-an"]
    else:
        cmd += ["-c:a", audio, "-b:a", abitrate, "-ar", str(arate), "-ac", str(achannels)]
    tmp = f"{path}.{os.getpid()}.tmp"  # tests run in parallel: never share a temporary file
    cmd += list(extra) + ["-f", "flv", tmp]
    subprocess.run(cmd, check=True)
    os.replace(tmp, path)
    return path


def framemd5(source, timeout=60, extra_input=()):
    """Per-packet (stream index, size, md5) of every audio/video packet, in order per stream."""
    out = subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", *extra_input,
                          "-i", source, "-map", "0", "-c", "copy", "-f", "framemd5", "-"],
                         capture_output=True, text=True, timeout=timeout)
    packets = {}
    for line in out.stdout.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        fields = [f.strip() for f in line.split(",")]
        packets.setdefault(int(fields[0]), []).append((int(fields[2]), fields[5], int(fields[4])))
    return packets  # stream -> [(pts, md5, size)]


def assert_same_packets(test, sent_path, got_path, min_packets=0):
    """Every audio/video packet of `sent_path` is in `got_path`: same bytes, same order (the
    timestamps may be rebased)."""
    sent, got = framemd5(sent_path), framemd5(got_path)
    test.assertEqual(sorted(sent), sorted(got))
    for stream in sent:
        test.assertEqual([(h, s) for _, h, s in sent[stream]],
                         [(h, s) for _, h, s in got[stream]], f"stream {stream} differs")
        test.assertGreater(len(sent[stream]), min_packets)


class Daemon:
    """One stagegate process with its own directory."""

    def __init__(self, test, config=None, stages=None):
        self.test = test
        self.dir = tempfile.mkdtemp(prefix="stagegate-it-")
        self.db_path = os.path.join(self.dir, "state.db")
        cfg = {"listeners": {"rtmp": {"bind": "127.0.0.1:0"}, "api": {"bind": "127.0.0.1:0"}},
               "state": {"path": self.db_path},
               "api": {"credentials": [{"access_key_id": API_KEY_ID, "secret_access_key": API_SECRET}]}}
        merge(cfg, config or {})
        self.keys = {}  # configuration name -> (id, secret, key)
        if stages:
            cfg["stages"] = []
            for sname, ics in stages.items():
                decl = []
                for ic in ics:
                    ic = dict(ic)
                    if "stream_key" not in ic:
                        ic["stream_key"] = new_stream_key()[2]
                    ic.setdefault("ingest_protocol", "RTMP")
                    ic.setdefault("insecure_ingest", ic["ingest_protocol"] == "RTMP")
                    parts = ic["stream_key"].split("_", 4)
                    self.keys[ic["name"]] = (parts[3], parts[4], ic["stream_key"])
                    decl.append(ic)
                cfg["stages"].append({"name": sname, "ingest_configurations": decl})
        self.config_path = os.path.join(self.dir, "stagegate.yaml")
        with open(self.config_path, "w") as f:
            json.dump(cfg, f, indent=1)  # JSON is YAML
        self.log_path = os.path.join(self.dir, "stagegate.log")
        self.proc = None
        self.port = None
        self.rtmps_port = None
        self.children = []
        self.number = next(_daemon_numbers)  # names its kept logs (see LOG_DIR)
        self.runs = 0
        self.clients = 0

    def start(self, timeout=10):
        self.keep_log()  # a restart truncates the log: keep the previous run's first
        self.runs += 1
        self.log_file = open(self.log_path, "w")
        self.proc = subprocess.Popen([STAGEGATE, "--config", self.config_path],
                                     stdout=self.log_file, stderr=subprocess.STDOUT, cwd=self.dir)
        deadline = time.time() + timeout
        while time.time() < deadline:
            log = self.log()
            m = re.search(r"listening for RTMP on 127\.0\.0\.1:(\d+)", log)
            a = re.search(r"listening for the control API on (127\.0\.0\.1:\d+)", log)
            if m and a:
                self.port = int(m.group(1))
                self.api = "http://" + a.group(1)
                # Logged between the two lines above when listeners.rtmps is configured.
                t = re.search(r"listening for RTMPS on 127\.0\.0\.1:(\d+)", log)
                self.rtmps_port = int(t.group(1)) if t else None
                return self
            if self.proc.poll() is not None:
                raise AssertionError("stagegate exited at start:\n" + self.log())
            time.sleep(0.05)
        raise AssertionError("stagegate did not report its RTMP address:\n" + self.log())

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    def close(self):
        for p in self.children:
            if p.poll() is None:
                p.kill()
                p.wait()
        stopped_here = False
        if self.proc and self.proc.poll() is None:
            stopped_here = True
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.log_file.close()
            self.keep_for_scan()
            self.assert_no_secrets()
            self.assert_clean_exit(stopped_here)
        if LOG_DIR:  # the log is kept there; the state, clips and recordings are not needed
            shutil.rmtree(self.dir, ignore_errors=True)

    def stop(self, sig=signal.SIGTERM, timeout=10):
        self.proc.send_signal(sig)
        return self.proc.wait(timeout=timeout)

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def assert_clean_exit(self, stopped_here):
        """A daemon this harness stopped with SIGTERM exits 0; a sanitizer report (ASan, LSan,
        UBSan: the sanitized CI phase) fails the test that started the daemon."""
        log = self.log()
        report = SANITIZER_REPORT.search(log)
        if report:
            raise AssertionError("sanitizer report in the daemon's log:\n" + log[report.start():][:6000])
        if stopped_here and self.proc.returncode != 0:
            raise AssertionError(f"stagegate exited with {self.proc.returncode} on SIGTERM:\n"
                                 + log[-4000:])

    def assert_no_secrets(self):
        text = self.log()
        if API_SECRET in text:
            raise AssertionError("the API secret access key appears in the log")
        for name, (_cid, secret, _key) in self.keys.items():
            if secret in text:
                raise AssertionError(f"the secret of stream key '{name}' appears in the log")

    # --- URLs and keys -------------------------------------------------------------------------
    def publish_url(self, name_or_key, secure=False):
        key = self.keys[name_or_key][2] if name_or_key in self.keys else name_or_key
        record_stream_key(key)  # also the wrong keys tests send on purpose
        return f"{self.base_url(secure)}/app/{key}"

    def play_url(self, name, token=None, secure=False):
        url = f"{self.base_url(secure)}/play/{self.participant_id(name)}"
        return url + (f"?token={token}" if token else "")

    def base_url(self, secure=False):
        if secure:
            return f"rtmps://127.0.0.1:{self.rtmps_port}"
        return f"rtmp://127.0.0.1:{self.port}"

    # --- state ---------------------------------------------------------------------------------
    def query(self, sql, args=()):
        con = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=5)
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()

    def configuration(self, name):
        rows = self.query("SELECT id, participant_id, state, stream_key, stage_arn "
                          "FROM ingest_configurations WHERE name = ?", (name,))
        self.test.assertEqual(len(rows), 1, f"ingest configuration {name}")
        return dict(zip(("id", "participant_id", "state", "stream_key", "stage_arn"), rows[0]))

    def participant_id(self, name):
        return self.configuration(name)["participant_id"]

    def events(self, name):
        """[(event name, error code)] of the configuration's participant, oldest first."""
        pid = self.participant_id(name)
        return [(n, c) for n, c in self.query(
            "SELECT name, error_code FROM participant_events WHERE participant_id = ? ORDER BY seq",
            (pid,))]

    def wait_events(self, name, count, timeout=20):
        deadline = time.time() + timeout
        ev = []
        while time.time() < deadline:
            ev = self.events(name)
            if len(ev) >= count:
                return ev
            time.sleep(0.1)
        raise AssertionError(f"expected {count} events for {name}, got {ev}\n{self.log()[-3000:]}")

    # --- control API ----------------------------------------------------------------------------
    def aws_env(self):
        return dict(os.environ, AWS_ACCESS_KEY_ID=API_KEY_ID, AWS_SECRET_ACCESS_KEY=API_SECRET,
                    AWS_DEFAULT_REGION=REGION, AWS_EC2_METADATA_DISABLED="true",
                    AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")

    def aws(self, *args, check=True):
        """The unmodified AWS CLI against the gateway; returns the parsed JSON output."""
        r = subprocess.run(["aws", "ivs-realtime", *args, "--endpoint-url", self.api,
                            "--output", "json"], capture_output=True, text=True,
                           env=self.aws_env(), timeout=60)
        self.keep_aws(r)
        if check and r.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed: {r.stderr}")
        if r.returncode != 0:
            return r
        return json.loads(r.stdout) if r.stdout.strip() else {}

    def boto3(self, key_id=API_KEY_ID, secret=API_SECRET):
        import boto3
        from botocore.config import Config
        client = boto3.client("ivs-realtime", endpoint_url=self.api, region_name=REGION,
                              aws_access_key_id=key_id, aws_secret_access_key=secret,
                              config=Config(retries={"total_max_attempts": 1}))  # no retry hides a 429
        record_secret("sigv4 secret access key", secret)
        client.meta.events.register("after-call", lambda parsed=None, **_: record_answer(parsed))
        return client

    # --- clients -------------------------------------------------------------------------------
    def push(self, name_or_key, source, realtime=True, extra=(), loop=False, secure=False):
        """ffmpeg publishing `source` with -c copy (`loop`: endlessly; `secure`: over RTMPS, `extra`
        then carries the TLS options). Returns the Popen."""
        cmd = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "info"]
        if realtime:
            cmd += ["-re"]
        if loop:
            cmd += ["-stream_loop", "-1"]
        url = self.publish_url(name_or_key, secure)
        cmd += ["-i", source, "-map", "0", "-c", "copy", *extra, "-f", "flv", url]
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.children.append(p)
        self.keep_client(p, "ffmpeg-push", url)
        return p

    def sg_push(self, name_or_key, source, *options):
        """The project's test publisher (tests/tools/sg_push): raw FLV tags, exact timestamps."""
        p = subprocess.Popen([SG_PUSH, *options, source, self.publish_url(name_or_key)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.children.append(p)
        self.keep_client(p, "sg_push", self.publish_url(name_or_key))
        return p

    def play(self, name, out_path, extra=(), token=None, secure=False):
        cmd = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *extra,
               "-i", self.play_url(name, token, secure), "-map", "0", "-c", "copy", "-f", "flv",
               out_path]
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.children.append(p)
        self.keep_client(p, "ffmpeg-play")
        return p

    # --- logs and secrets kept for the suite-wide scan (see LOG_DIR) ----------------------------
    def keep_log(self):
        path = kept_path(self.test, f"daemon{self.number}-run{self.runs}.log") if self.runs else None
        if path and os.path.exists(self.log_path):
            shutil.copyfile(self.log_path, path)

    def keep_client(self, proc, what, url=None):
        self.clients += 1
        path = kept_path(self.test, f"daemon{self.number}-{what}{self.clients}.out")
        if path:
            proc.sg_keep = (path, url)

    def keep_aws(self, result):
        """The CLI's stdout is the answer (a CreateIngestConfiguration answer holds the key, by
        design): its keys are recorded. Its stderr holds the gateway's error texts: kept."""
        try:
            record_answer(json.loads(result.stdout))
        except ValueError:
            pass
        self.clients += 1
        path = kept_path(self.test, f"daemon{self.number}-aws{self.clients}.err")
        if path and result.stderr:
            with open(path, "w") as f:
                f.write(result.stderr)

    def keep_for_scan(self):
        """Keeps the log of the last run and records the secrets of the configuration file and of
        the store (API-created keys, deleted ones excepted: those came through aws()/boto3())."""
        if not LOG_DIR:
            return
        self.keep_log()
        with open(self.config_path) as f:
            text = f.read()
        for secret in re.findall(r'secret_access_key"?\s*:\s*"?([A-Za-z0-9/+=]+)', text):
            record_secret("sigv4 secret access key", secret)
        for key in re.findall(r"rt_[0-9]+_[a-z0-9-]+_[A-Za-z0-9]+_[A-Za-z0-9]+", text):
            record_stream_key(key)
        try:
            for (key,) in self.query("SELECT stream_key FROM ingest_configurations"):
                record_stream_key(key)
            for (value,) in self.query("SELECT value FROM gateway_secrets"):
                record_secret("participant token key", value)
        except sqlite3.Error:
            pass  # no store (the daemon never started, or state elsewhere)
        write_secrets()


def wait(proc, timeout=60):
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        keep_client_output(proc, out, err)
        raise AssertionError("client did not finish in time:\n" + (err or ""))
    keep_client_output(proc, out, err)
    return proc.returncode, err or ""


class GatewayTestCase(unittest.TestCase):
    def daemon(self, config=None, stages=None):
        d = Daemon(self, config, stages)
        d.start()
        self.addCleanup(d.close)
        return d
