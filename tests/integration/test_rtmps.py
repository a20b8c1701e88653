"""RTMPS: TLS under the RTMP stack, end to end with ffmpeg, openssl s_client and a relay.

Every test makes its certificates with samples/make-tls-chain.sh (root CA -> intermediate -> server
certificate for 127.0.0.1), so the sample script is exercised too. ffmpeg verifies the gateway's
certificate against the sample root CA (-tls_verify 1 -ca_file), which only works when the gateway
serves the whole chain.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.request

from harness import GatewayTestCase, assert_same_packets, clip, wait

HERE = os.path.dirname(os.path.abspath(__file__))
MAKE_CHAIN = os.path.join(HERE, "..", "..", "samples", "make-tls-chain.sh")
SECURE_ONLY = {"demo": [{"name": "obs", "ingest_protocol": "RTMPS", "insecure_ingest": False}]}


def make_chain(directory):
    subprocess.run([MAKE_CHAIN, directory], check=True, stdout=subprocess.DEVNULL)
    return {name: os.path.join(directory, f) for name, f in
            (("ca", "ca.pem"), ("chain", "chain.pem"), ("key", "server.key"))}


def s_client(port, ca, *options, data=b""):
    """openssl s_client against the RTMPS port: (return code, output)."""
    p = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-CAfile", ca,
                        "-verify_return_error", "-showcerts", *options],
                       input=data, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=20)
    return p.returncode, p.stdout.decode(errors="replace")


def closed_within(sock, seconds):
    sock.settimeout(seconds)
    try:
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                return True
    except socket.timeout:
        return False
    except ConnectionResetError:
        return True


class RtmpsTest(GatewayTestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="stagegate-tls-")
        cls.tls = make_chain(os.path.join(cls.tmp, "a"))
        cls.other = make_chain(os.path.join(cls.tmp, "b"))  # a second, unrelated CA

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def rtmps_daemon(self, stages=SECURE_ONLY, tls=None, extra=None):
        tls = tls or self.tls
        config = {"listeners": {"rtmps": {"bind": "127.0.0.1:0", "certificate": tls["chain"],
                                          "private_key": tls["key"]}}}
        for k, v in (extra or {}).items():
            config.setdefault(k, {}).update(v)
        d = self.daemon(config=config, stages=stages)
        self.assertIsNotNone(d.rtmps_port, "no RTMPS listener reported:\n" + d.log())
        return d

    def verify(self, ca=None):
        return ["-tls_verify", "1", "-ca_file", ca or self.tls["ca"]]

    def participant(self, d, name):
        rows = d.query("SELECT protocol FROM participants WHERE participant_id = ?",
                       (d.participant_id(name),))
        return [r[0] for r in rows]

    # --- ingest over TLS -------------------------------------------------------------------------
    def test_rtmps_publish_is_accepted_and_played_bit_exact_over_rtmps(self):
        src = clip("valid_720p30", size="1280x720", rate=30, seconds=4, vbitrate="1500k")
        d = self.rtmps_daemon()
        out = os.path.join(d.dir, "received.flv")
        player = d.play("obs", out, extra=self.verify(), secure=True)
        time.sleep(0.5)
        rc, err = wait(d.push("obs", src, extra=self.verify(), secure=True))
        self.assertEqual(rc, 0, err)
        prc, perr = wait(player, timeout=30)
        self.assertEqual(prc, 0, perr)
        events = d.wait_events("obs", 4)
        self.assertEqual(events, [("JOINED", ""), ("PUBLISH_STARTED", ""), ("PUBLISH_STOPPED", ""),
                                  ("LEFT", "")])
        self.assertEqual(self.participant(d, "obs"), ["RTMPS"])
        self.assertRegex(d.log(), r"over RTMPS \(TLSv1\.[23] ")
        assert_same_packets(self, src, out, min_packets=50)

    def test_secure_configuration_refuses_plain_rtmp_and_accepts_rtmps(self):
        src = clip("valid_360p_2s", seconds=2)
        d = self.rtmps_daemon()
        rc, err = wait(d.push("obs", src))  # plain RTMP
        self.assertNotEqual(rc, 0)
        self.assertIn("INVALID_PROTOCOL", err)
        self.assertEqual(d.wait_events("obs", 1), [("JOIN_ERROR", "INVALID_PROTOCOL")])
        rc, err = wait(d.push("obs", src, extra=self.verify(), secure=True))
        self.assertEqual(rc, 0, err)
        events = d.wait_events("obs", 5)
        self.assertEqual([e[0] for e in events[1:]],
                         ["JOINED", "PUBLISH_STARTED", "PUBLISH_STOPPED", "LEFT"])

    def test_insecure_configuration_accepts_rtmps_too_and_records_the_protocol(self):
        src = clip("valid_360p_2s", seconds=2)
        d = self.rtmps_daemon(stages={"demo": [{"name": "obs"}]})  # RTMP with insecureIngest
        rc, err = wait(d.push("obs", src, extra=self.verify(), secure=True))
        self.assertEqual(rc, 0, err)
        d.wait_events("obs", 4)
        self.assertEqual(self.participant(d, "obs"), ["RTMPS"])
        # The participant id is the configuration's: a new join in the session updates its row.
        rc, err = wait(d.push("obs", src))
        self.assertEqual(rc, 0, err)
        self.assertEqual([e[0] for e in d.wait_events("obs", 8)],
                         ["JOINED", "PUBLISH_STARTED", "PUBLISH_STOPPED", "LEFT"] * 2)
        self.assertEqual(self.participant(d, "obs"), ["RTMP"])

    def test_client_with_another_ca_refuses_the_gateway(self):
        src = clip("valid_360p_2s", seconds=2)
        d = self.rtmps_daemon()
        rc, err = wait(d.push("obs", src, extra=self.verify(self.other["ca"]), secure=True))
        self.assertNotEqual(rc, 0)
        self.assertEqual(d.events("obs"), [])

    def test_stage_rtmps_endpoint_works_as_printed(self):
        d = self.rtmps_daemon(stages={})
        ivs = d.boto3()
        stage = ivs.create_stage(name="tls")["stage"]
        self.assertEqual(stage["endpoints"]["rtmps"], f"rtmps://127.0.0.1:{d.rtmps_port}/app/")
        self.assertEqual(stage["endpoints"]["rtmp"], f"rtmp://127.0.0.1:{d.port}/app/")
        ic = ivs.create_ingest_configuration(name="enc", stageArn=stage["arn"],
                                             ingestProtocol="RTMPS")["ingestConfiguration"]
        d.keys["enc"] = (ic["arn"].rsplit("/", 1)[1], ic["streamKey"].rsplit("_", 1)[1],
                         ic["streamKey"])
        url = stage["endpoints"]["rtmps"] + ic["streamKey"]
        src = clip("valid_360p_2s", seconds=2)
        p = subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-re",
                            "-i", src, "-c", "copy", *self.verify(), "-f", "flv", url],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([e[0] for e in d.wait_events("enc", 4)],
                         ["JOINED", "PUBLISH_STARTED", "PUBLISH_STOPPED", "LEFT"])
        session = ivs.list_stage_sessions(stageArn=stage["arn"])["stageSessions"][0]["sessionId"]
        parts = ivs.list_participants(stageArn=stage["arn"], sessionId=session)["participants"]
        got = ivs.get_participant(stageArn=stage["arn"], sessionId=session,
                                  participantId=parts[0]["participantId"])["participant"]
        self.assertEqual(got["protocol"], "RTMPS")

    # --- TLS settings ----------------------------------------------------------------------------
    def test_full_chain_tls12_minimum_and_no_session_tickets(self):
        d = self.rtmps_daemon()
        rc, out = s_client(d.rtmps_port, self.tls["ca"], "-tls1_2")
        self.assertEqual(rc, 0, out)
        self.assertIn("Verify return code: 0 (ok)", out)
        self.assertEqual(out.count("BEGIN CERTIFICATE"), 2, "leaf + intermediate expected")
        self.assertNotIn("TLS session ticket:", out)  # TLS 1.2 tickets
        rc, out = s_client(d.rtmps_port, self.tls["ca"], "-tls1_3", "-msg")
        self.assertEqual(rc, 0, out)
        self.assertIn("New, TLSv1.3", out)
        self.assertNotIn("NewSessionTicket", out)  # librtmp/GnuTLS clients break on these
        for old in ("-tls1", "-tls1_1"):
            rc, out = s_client(d.rtmps_port, self.tls["ca"], old)
            self.assertNotEqual(rc, 0, f"{old} was accepted:\n{out}")
        rc, out = s_client(d.rtmps_port, self.other["ca"])
        self.assertNotEqual(rc, 0, "a client trusting another CA verified the certificate")

    def test_sighup_reloads_the_certificate_without_dropping_the_publisher(self):
        certs = os.path.join(d_tmp := tempfile.mkdtemp(prefix="stagegate-reload-"), "live")
        self.addCleanup(shutil.rmtree, d_tmp, True)
        os.makedirs(certs)
        live = {"chain": os.path.join(certs, "chain.pem"), "key": os.path.join(certs, "key.pem")}
        shutil.copy(self.tls["chain"], live["chain"])
        shutil.copy(self.tls["key"], live["key"])
        d = self.rtmps_daemon(tls={**live, "ca": self.tls["ca"]})
        src = clip("valid_360p_8s", seconds=8)
        pusher = d.push("obs", src, extra=self.verify(), secure=True, loop=True)
        d.wait_events("obs", 2)

        # A broken file first: logged, the running certificate stays.
        with open(live["chain"], "w") as f:
            f.write("not a certificate\n")
        d.proc.send_signal(signal.SIGHUP)
        self.wait_log(d, "RTMPS certificate not reloaded")
        rc, out = s_client(d.rtmps_port, self.tls["ca"])
        self.assertEqual(rc, 0, out)

        # Then the other chain: new connections get it, the live publisher is untouched.
        shutil.copy(self.other["chain"], live["chain"])
        shutil.copy(self.other["key"], live["key"])
        d.proc.send_signal(signal.SIGHUP)
        self.wait_log(d, "RTMPS certificate reloaded")
        rc, out = s_client(d.rtmps_port, self.other["ca"])
        self.assertEqual(rc, 0, out)
        rc, out = s_client(d.rtmps_port, self.tls["ca"])
        self.assertNotEqual(rc, 0, "the old certificate is still served")

        time.sleep(1.5)
        self.assertIsNone(pusher.poll(), "the publisher was dropped by the reload")
        self.assertEqual([e[0] for e in d.events("obs")], ["JOINED", "PUBLISH_STARTED"])
        self.assertEqual(d.configuration("obs")["state"], "ACTIVE")
        pusher.kill()
        d.wait_events("obs", 4)

    def wait_log(self, d, text, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if text in d.log():
                return
            time.sleep(0.05)
        self.fail(f"'{text}' not logged:\n{d.log()}")

    # --- hostile input on the RTMPS port ---------------------------------------------------------
    def test_garbage_plain_rtmp_and_a_stalled_tls_handshake_are_closed(self):
        d = self.rtmps_daemon(extra={"listeners": {"rtmp": {"handshake_timeout": "2s"}}})
        src = clip("valid_360p_8s", seconds=8)
        pusher = d.push("obs", src, extra=self.verify(), secure=True)
        d.wait_events("obs", 2)

        garbage = socket.create_connection(("127.0.0.1", d.rtmps_port))
        self.addCleanup(garbage.close)
        garbage.sendall(os.urandom(4096))
        self.assertTrue(closed_within(garbage, 5.0), "TLS garbage did not close the connection")

        plain = socket.create_connection(("127.0.0.1", d.rtmps_port))
        self.addCleanup(plain.close)
        plain.sendall(b"\x03" + os.urandom(1536))  # an RTMP C0+C1 on the TLS port
        self.assertTrue(closed_within(plain, 5.0), "plain RTMP on the RTMPS port stayed open")

        # A ClientHello cut short: only the handshake timeout ends it.
        stalled = socket.create_connection(("127.0.0.1", d.rtmps_port))
        self.addCleanup(stalled.close)
        start = time.time()
        stalled.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
        self.assertTrue(closed_within(stalled, 8.0), "a stalled TLS handshake was never closed")
        took = time.time() - start
        print(f"\n  stalled TLS handshake closed after {took:.2f} s", flush=True)
        self.assertGreaterEqual(took, 1.5)

        log = d.log()
        self.assertEqual(log.count("TLS handshake failed"), 2, log)
        self.assertIn("handshake timeout", log)
        metrics = urllib.request.urlopen(d.api + "/metrics", timeout=5).read().decode()
        counter = lambda name: int(re.search(rf"^{name} (\d+)$", metrics, re.M).group(1))
        self.assertEqual(counter("stagegate_tls_handshake_failures_total"), 2)
        self.assertEqual(counter("stagegate_rtmps_connections_total"), 4)
        rc, err = wait(pusher)
        self.assertEqual(rc, 0, err)
        self.assertEqual([e for e in d.wait_events("obs", 4)],
                         [("JOINED", ""), ("PUBLISH_STARTED", ""), ("PUBLISH_STOPPED", ""),
                          ("LEFT", "")])


class RtmpsRelayTest(GatewayTestCase):
    """stage_endpoint kind rtmps: a second stagegate with an RTMPS listener is the upstream."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="stagegate-tls-")
        cls.tls = make_chain(os.path.join(cls.tmp, "a"))
        cls.other = make_chain(os.path.join(cls.tmp, "b"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def upstream(self):
        return self.daemon(config={"listeners": {"rtmps": {
            "bind": "127.0.0.1:0", "certificate": self.tls["chain"], "private_key": self.tls["key"]}}},
            stages={"up": [{"name": "edge", "ingest_protocol": "RTMPS", "insecure_ingest": False}]})

    def relaying(self, up, ca, max_downtime="10s", host="127.0.0.1"):
        url = f"rtmps://{host}:{up.rtmps_port}/app/{up.keys['edge'][2]}"
        return self.daemon(config={"stage_endpoint": {
            "kind": "rtmps", "url": url, "ca_file": ca, "reconnect_initial": "200ms",
            "reconnect_max": "1s", "max_downtime": max_downtime}},
            stages={"demo": [{"name": "obs"}]})

    def test_relay_over_rtmps_is_bit_exact(self):
        src = clip("valid_360p_8s", seconds=8)
        up = self.upstream()
        # A host name: resolved with getaddrinfo (/etc/hosts), sent as SNI and matched against
        # the certificate's DNS name.
        d = self.relaying(up, self.tls["ca"], host="localhost")
        out = os.path.join(up.dir, "relayed.flv")
        player = up.play("edge", out)
        time.sleep(0.5)
        rc, err = wait(d.push("obs", src))
        self.assertEqual(rc, 0, err)
        prc, perr = wait(player, timeout=30)
        self.assertEqual(prc, 0, perr)
        self.assertEqual([e[0] for e in up.wait_events("edge", 4)],
                         ["JOINED", "PUBLISH_STARTED", "PUBLISH_STOPPED", "LEFT"])
        self.assertEqual(up.query("SELECT protocol FROM participants"), [("RTMPS",)])
        assert_same_packets(self, src, out, min_packets=50)

    def test_upstream_certificate_from_another_ca_is_refused(self):
        src = clip("valid_360p_8s", seconds=8)
        up = self.upstream()
        d = self.relaying(up, self.other["ca"], max_downtime="2s")
        rc, err = wait(d.push("obs", src))
        self.assertNotEqual(rc, 0)
        events = d.wait_events("obs", 5)
        self.assertEqual(events, [("JOINED", ""), ("PUBLISH_STARTED", ""),
                                  ("PUBLISH_ERROR", "INTERNAL_SERVER_EXCEPTION"),
                                  ("PUBLISH_STOPPED", ""), ("LEFT", "")])
        self.assertIn("certificate verify failed", d.log())
        self.assertEqual(up.events("edge"), [])


if __name__ == "__main__":
    unittest.main()
