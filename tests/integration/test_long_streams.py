"""Long streams: a publish that crosses the 32-bit timestamp wrap and then meets media.max_duration,
and the daemon's memory over a long real-time publish with a player and over an hour of media
pushed without pacing. The RSS series and figures are printed (they appear in the CTest log);
only bounds that a per-message leak would break are asserted."""
import os
import re
import threading
import time
import unittest

from flv import read_tags
from harness import TEST_DATA, GatewayTestCase, clip, framemd5, wait

DEMO = {"demo": [{"name": "obs"}]}
BASELINE = os.path.join(TEST_DATA, "baseline_320x240.flv")  # 3 s, 30 fps H.264 + 48 kHz AAC
WRAP = 2**32
NORMAL = ["JOINED", "PUBLISH_STARTED", "PUBLISH_STOPPED", "LEFT"]

# Memory bounds on the growth of VmRSS after the warm-up (peak minus the first sample after it).
# Each test also asserts that its run is long enough for the bound to catch the leak named here,
# computed from the real number of messages sent (see assert_sensitive).
REALTIME_BOUND_KIB = 4 * 1024  # a leak of >= 300 bytes per media message in ~3 minutes breaks it
FAST_BOUND_KIB = 16 * 1024  # a leak of >= 8 bytes per media message in ten hours of media breaks it


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+) kB", f.read()).group(1))


def media_messages(path):
    """Audio and video messages sg_push sends for one pass over the file."""
    return sum(1 for t in read_tags(path) if t[0] in (8, 9))


class RssSampler:
    """Samples a process's VmRSS every `period` seconds on a thread until stop()."""

    def __init__(self, pid, period):
        self.pid = pid
        self.period = period
        self.samples = []  # (seconds since start, KiB)
        self.t0 = time.monotonic()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while True:
            try:
                self.samples.append((time.monotonic() - self.t0, rss_kib(self.pid)))
            except (OSError, AttributeError):
                return  # the process is gone
            if self.done.wait(self.period):
                return

    def stop(self):
        self.done.set()
        self.thread.join()
        return self.samples


def summarize(title, samples, warmup_s, messages):
    """Prints the series and the figures; returns the growth after the warm-up in KiB."""
    after = [(t, kib) for t, kib in samples if t >= warmup_s]
    if len(after) < 3:
        raise AssertionError(f"{title}: only {len(after)} RSS samples after the warm-up: {samples}")
    series = " ".join(f"{t:.1f}s:{kib}" for t, kib in samples)
    start, peak, end = after[0][1], max(k for _, k in after), after[-1][1]
    # Least-squares slope over the samples after the warm-up, in KiB per minute.
    n = len(after)
    mt = sum(t for t, _ in after) / n
    mk = sum(k for _, k in after) / n
    var = sum((t - mt) ** 2 for t, _ in after)
    slope = 60 * sum((t - mt) * (k - mk) for t, k in after) / var if var else 0.0
    print(f"\n  {title}: VmRSS series (s:KiB) {series}", flush=True)
    print(f"  {title}: warm-up {warmup_s:.0f}s, start {start} KiB, max {peak} KiB, end {end} KiB, "
          f"growth {peak - start} KiB ({(peak - start) * 1024 / messages:.1f} bytes per message), "
          f"slope {slope:+.0f} KiB/min over {after[-1][0] - after[0][0]:.0f}s", flush=True)
    return peak - start


class LongStreamTest(GatewayTestCase):
    def assert_sensitive(self, messages, leak_bytes, bound_kib):
        """The run is long enough for a leak of `leak_bytes` per message to exceed the bound."""
        self.assertGreater(messages * leak_bytes, bound_kib * 1024,
                           f"{messages} messages: a {leak_bytes}-byte leak per message would stay "
                           f"under the {bound_kib} KiB bound; make the run longer")

    def test_wrap_then_max_duration(self):
        # Starts 3 s before 2^32 ms: the wrap comes 3 s into the publish, max_duration at 8 s,
        # and the file (six loops, 18 s) would run well past both.
        d = self.daemon(config={"media": {"max_duration": "8s"}}, stages=DEMO)
        out_path = os.path.join(d.dir, "received.flv")
        player = d.play("obs", out_path)
        time.sleep(0.5)
        t0 = time.monotonic()
        rc, out = wait(d.sg_push("obs", BASELINE, "--ts-offset", str(WRAP - 3000), "--loop", "6"),
                       timeout=60)
        took = time.monotonic() - t0
        self.assertIn(rc, (1, 2), "the gateway ends the publish: " + out)
        self.assertIn("STREAM_DURATION_EXCEEDED", d.log())
        # Exactly one error, the duration: the wrap neither disconnected nor failed the publish.
        events = d.wait_events("obs", 5)
        self.assertEqual(events, [("JOINED", ""), ("PUBLISH_STARTED", ""),
                                  ("PUBLISH_ERROR", "STREAM_DURATION_EXCEEDED"),
                                  ("PUBLISH_STOPPED", ""), ("LEFT", "")])
        times = dict(d.query("SELECT name, event_time FROM participant_events "
                             "WHERE participant_id = ?", (d.participant_id("obs"),)))
        after_ms = times["PUBLISH_ERROR"] - times["JOINED"]
        print(f"\n  wrap + max_duration 8s: PUBLISH_ERROR {after_ms} ms after JOINED, "
              f"sg_push ran {took:.1f}s", flush=True)
        # Not before the limit (a wrap mistaken for a jump forward would end it at ~3 s), and well
        # before the 18 s the file lasts (the limit must still fire after the wrap).
        self.assertGreaterEqual(after_ms, 7900)
        self.assertLess(after_ms, 15000)
        self.assertGreaterEqual(took, 7.5)
        self.assertEqual(wait(player)[0], 0, "the player ends when the publish ends")
        got = framemd5(out_path)
        for stream, packets in got.items():
            pts = [p for p, _, _ in packets]
            self.assertEqual(pts, sorted(pts), f"stream {stream} is not monotonic across the wrap")
            # The player saw media from both sides of the wrap (3 s in; in its timebase, ms).
            self.assertGreater(pts[-1] - pts[0], 5000, f"stream {stream} does not span the wrap")

    @unittest.skipIf(os.environ.get("STAGEGATE_SANITIZED"),
                     "ASan's quarantine keeps freed memory resident; the plain build checks VmRSS")
    def test_rss_flat_over_a_three_minute_real_time_publish_with_a_player(self):
        # The local stage (no relay); one player for the whole publish; the 8 s clip looped 23
        # times: 184 s of real time.
        source = clip("valid_360p_8s", seconds=8)
        loops = 23
        messages = media_messages(source) * loops
        # 14,237 messages in (as many out to the player): a leak of 300 bytes per received message
        # is ~4.3 MB, above the 4 MiB bound; so is keeping every payload (~18 MB).
        self.assert_sensitive(messages, 300, REALTIME_BOUND_KIB)
        d = self.daemon(stages=DEMO)
        out_path = os.path.join(d.dir, "played.flv")
        self.addCleanup(lambda: os.path.exists(out_path) and os.remove(out_path))
        player = d.play("obs", out_path)
        time.sleep(0.5)
        sampler = RssSampler(d.proc.pid, 3.0)
        rc, out = wait(d.sg_push("obs", source, "--loop", str(loops)), timeout=300)
        samples = sampler.stop()
        self.assertEqual(rc, 0, out)
        self.assertEqual(wait(player)[0], 0)
        self.assertEqual([e[0] for e in d.wait_events("obs", 4)], NORMAL)
        # The player got (nearly) the whole publish, not a stream dropped early.
        self.assertGreater(os.path.getsize(out_path), 0.9 * os.path.getsize(source) * loops)
        growth = summarize(f"real time, {loops * 8}s, {messages} messages, 1 player",
                           samples, warmup_s=30, messages=messages)
        self.assertLess(growth, REALTIME_BOUND_KIB, "VmRSS grew with the length of the stream")

    @unittest.skipIf(os.environ.get("STAGEGATE_SANITIZED"),
                     "ASan's quarantine keeps freed memory resident; the plain build checks VmRSS")
    def test_rss_flat_over_ten_hours_of_media_pushed_without_pacing(self):
        # 12,000 loops of the 3 s file: ten hours of media timestamps (2.8 million messages, 1.2 GB)
        # as fast as the gateway reads them (seconds to a minute, depending on the build).
        loops = 12000
        messages = media_messages(BASELINE) * loops
        # 2,820,000 messages: a leak of 8 bytes per message is ~22.6 MB, above the 16 MiB bound.
        self.assert_sensitive(messages, 8, FAST_BOUND_KIB)
        d = self.daemon(stages=DEMO)
        sampler = RssSampler(d.proc.pid, 0.5)
        t0 = time.monotonic()
        rc, out = wait(d.sg_push("obs", BASELINE, "--no-realtime", "--loop", str(loops)),
                       timeout=240)
        took = time.monotonic() - t0
        time.sleep(1.0)  # one more sample after the end of the publish
        samples = sampler.stop()
        self.assertEqual(rc, 0, out)
        self.assertEqual([e[0] for e in d.wait_events("obs", 4)], NORMAL)
        print(f"\n  no pacing: {loops * 3 // 3600} h of media, {messages} messages in {took:.1f}s "
              f"({messages / took:.0f} messages/s)", flush=True)
        growth = summarize(f"no pacing, {loops * 3 // 3600} h of media", samples,
                           warmup_s=min(3.0, took / 5), messages=messages)
        self.assertLess(growth, FAST_BOUND_KIB, "VmRSS grew with the length of the stream")


if __name__ == "__main__":
    unittest.main()
