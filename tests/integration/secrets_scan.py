"""Suite-wide secrets scan: fails if a secret the integration harness knows appears in any log.

    python3 secrets_scan.py LOG_DIR

LOG_DIR is the harness's STAGEGATE_LOG_DIR: LOG_DIR/logs/ holds every daemon log and client output
of the run (see harness.py, LOG_DIR), LOG_DIR/secrets/*.tsv the secrets ("kind<TAB>secret" lines):
stream-key secrets, SigV4 secret access keys, the participant token key. Each finding is printed
as FILE:LINE with the kind and a redacted form of the secret (never the secret itself); a secret in
a file name is a finding too. Exit 0: clean; 1: a finding, or nothing to scan (no logs or no
secrets: the harness did not keep them, so the scan would prove nothing).

`python3 -m unittest secrets_scan` runs the self-test below: the scan fails on a planted secret.
"""
import glob
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import unittest

MIN_SECRET_LEN = 16  # as in harness.py: shorter strings are not secrets of ours


def redacted(secret):
    """Enough to tell secrets apart in a report, nothing to reconstruct one from."""
    digest = hashlib.sha256(secret.encode()).hexdigest()[:12]
    return f"{secret[:2]}... ({len(secret)} characters, sha256 {digest}...)"


def load_secrets(log_dir):
    secrets = {}
    for path in sorted(glob.glob(os.path.join(log_dir, "secrets", "*.tsv"))):
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                kind, _, secret = line.rstrip("\n").partition("\t")
                if len(secret) >= MIN_SECRET_LEN:
                    secrets.setdefault(secret, kind)
    return secrets


def scan(log_dir, out=sys.stdout):
    """Returns the exit code; prints the findings and a summary to `out`."""
    secrets = load_secrets(log_dir)
    logs_root = os.path.join(log_dir, "logs")
    files = sorted(os.path.join(d, n) for d, _, names in os.walk(logs_root) for n in names)
    if not secrets or not files:
        print(f"secrets scan: nothing to scan in {log_dir} ({len(files)} log files, {len(secrets)} "
              "secrets); run it after the integration modules (ctest -L integration)", file=out)
        return 1
    # One alternation, longest first, so a secret that contains another is reported as itself.
    pattern = re.compile("|".join(re.escape(s) for s in sorted(secrets, key=len, reverse=True)))
    findings = 0
    lines = 0
    for path in files:
        rel = os.path.relpath(path, log_dir)
        for m in pattern.finditer(rel):
            print(f"{redacted_path(rel, pattern)}: file name holds a {secrets[m.group(0)]} "
                  f"{redacted(m.group(0))}", file=out)
            findings += 1
        with open(path, encoding="utf-8", errors="replace") as f:
            for number, line in enumerate(f, 1):
                lines += 1
                for m in pattern.finditer(line):
                    print(f"{redacted_path(rel, pattern)}:{number}: {secrets[m.group(0)]} "
                          f"{redacted(m.group(0))}", file=out)
                    findings += 1
    kinds = {}
    for kind in secrets.values():
        kinds[kind] = kinds.get(kind, 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    print(f"secrets scan: {len(files)} files, {lines} lines, {len(secrets)} secrets ({summary}): "
          f"{findings} finding(s)", file=out)
    return 1 if findings else 0


def redacted_path(rel, pattern):
    return pattern.sub(lambda m: "<" + redacted(m.group(0)) + ">", rel)


class SecretsScanSelfTest(unittest.TestCase):
    """The scan can fail: planted secrets are found, reported by file and line, never printed."""

    SECRET = "Zq7Ku2LpW9xR4tYb6NcV1mA8sD3fG5hJ"  # shaped like a stream-key secret

    def run_scan(self, root):
        r = subprocess.run([sys.executable, os.path.abspath(__file__), root], capture_output=True,
                           text=True, timeout=60)
        self.assertNotIn(self.SECRET, r.stdout + r.stderr, "the scan printed the secret")
        return r.returncode, r.stdout

    def make_tree(self, root, log_text):
        os.makedirs(os.path.join(root, "secrets"))
        os.makedirs(os.path.join(root, "logs", "test_x", "XTest.test_y"))
        with open(os.path.join(root, "secrets", "1.tsv"), "w") as f:
            f.write(f"stream-key secret\t{self.SECRET}\nstream-key secret\tshort\n")
        with open(os.path.join(root, "logs", "test_x", "XTest.test_y", "daemon1-run1.log"),
                  "w") as f:
            f.write(log_text)

    def test_planted_secret_is_found_with_file_and_line(self):
        with tempfile.TemporaryDirectory() as root:
            self.make_tree(root, "started\nconn=1 publish key rt_1_us-east-1_abc_" + self.SECRET +
                           " accepted\nshort is not a secret\n")
            rc, out = self.run_scan(root)
            self.assertEqual(rc, 1, out)
            self.assertIn(os.path.join("logs", "test_x", "XTest.test_y", "daemon1-run1.log") + ":2:",
                          out)
            self.assertIn("stream-key secret Zq... (32 characters", out)
            self.assertIn("1 finding(s)", out)

    def test_secret_in_a_file_name_is_found(self):
        with tempfile.TemporaryDirectory() as root:
            self.make_tree(root, "clean\n")
            with open(os.path.join(root, "logs", "test_x", self.SECRET + ".out"), "w") as f:
                f.write("clean\n")
            rc, out = self.run_scan(root)
            self.assertEqual(rc, 1, out)
            self.assertIn("file name holds a stream-key secret", out)

    def test_clean_logs_pass(self):
        with tempfile.TemporaryDirectory() as root:
            self.make_tree(root, "conn=1 publish accepted\nshort\n")
            rc, out = self.run_scan(root)
            self.assertEqual(rc, 0, out)
            self.assertIn("1 files, 2 lines, 1 secrets (1 stream-key secret): 0 finding(s)", out)

    def test_nothing_to_scan_fails(self):
        with tempfile.TemporaryDirectory() as root:
            rc, out = self.run_scan(root)
            self.assertEqual(rc, 1, out)
            self.assertIn("nothing to scan", out)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(scan(sys.argv[1]))
