#!/usr/bin/env python3
"""Writes the SigV4 golden vectors that tests/gateway/sigv4_test.cpp verifies.

Every vector is a request exactly as botocore (the library under the AWS CLI and boto3) signs and
sends it, plus botocore's own canonical request and string to sign, so that the C++ verifier is
checked against the real client, not against our reading of the SigV4 documentation.

Usage:  python3 tests/gateway/data/sigv4/make_vectors.py          # botocore vectors only
        python3 tests/gateway/data/sigv4/make_vectors.py --cli    # also run the real `aws` CLI
The botocore vectors use a fixed clock (botocore.auth.get_current_datetime is patched). The CLI
vectors use the real clock; their "now" is the X-Amz-Date the CLI sent. The CLI talks only to a
recording http.server on 127.0.0.1 and gets a 403 back, which is all we need.
"""

import datetime
import hashlib
import http.server
import json
import os
import re
import subprocess
import sys
import threading
from urllib.parse import urlsplit

os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull

import botocore.auth  # noqa: E402
import botocore.session  # noqa: E402
from botocore.auth import SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest, AWSResponse  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402

OUT = os.path.dirname(os.path.abspath(__file__))
AKID = "AKIDEXAMPLESTAGEGATE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
REGION = "us-east-1"
SERVICE = "ivs"
FIXED_NOW = datetime.datetime(2024, 5, 17, 12, 34, 56)
ENDPOINT = "http://127.0.0.1:8080"
ARN = "arn:aws:ivs:us-east-1:123456789012:stage/AbCdEfGh1234"

# botocore's own canonical request / string to sign, recorded while it signs.
_recorded = {}
_orig_cr = SigV4Auth.canonical_request
_orig_sts = SigV4Auth.string_to_sign


def _cr(self, request):
    _recorded["canonical_request"] = _orig_cr(self, request)
    return _recorded["canonical_request"]


def _sts(self, request, canonical_request):
    _recorded["string_to_sign"] = _orig_sts(self, request, canonical_request)
    return _recorded["string_to_sign"]


SigV4Auth.canonical_request = _cr
SigV4Auth.string_to_sign = _sts
botocore.auth.get_current_datetime = lambda remove_tzinfo=True: FIXED_NOW


def write(name, source, method, url, headers, body, extra=None):
    parts = urlsplit(url)
    # The HTTP client (urllib3) adds Host from the URL; botocore signs the same value.
    names = {n.lower() for n, _ in headers}
    if "host" not in names:
        headers = [("Host", botocore.auth._host_from_url(url))] + headers
    if isinstance(body, str):
        body = body.encode("utf-8")
    # Prepared requests hold some header values as bytes (sent as latin-1 by http.client).
    headers = [(n, v.decode("latin-1") if isinstance(v, bytes) else v) for n, v in headers]
    vec = {
        "name": name,
        "source": source,
        "access_key_id": AKID,
        "secret_access_key": SECRET,
        "region": REGION,
        "service": SERVICE,
        "now": FIXED_NOW.strftime("%Y%m%dT%H%M%SZ"),
        "method": method,
        "path": parts.path,
        "query": parts.query,
        "headers": [[n, v] for n, v in headers],
        "body": (body or b"").decode("utf-8"),
        "canonical_request": _recorded.pop("canonical_request"),
        "string_to_sign": _recorded.pop("string_to_sign"),
    }
    vec.update(extra or {})
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(vec, f, indent=1, ensure_ascii=False)
        f.write("\n")


def client_vectors():
    """Requests made by the real ivs-realtime client: serializer + signer exactly as the CLI."""
    session = botocore.session.get_session()

    def make(endpoint_url):
        return session.create_client(
            "ivs-realtime",
            region_name=REGION,
            endpoint_url=endpoint_url,
            aws_access_key_id=AKID,
            aws_secret_access_key=SECRET,
        )

    captured = []

    class _Raw:
        def stream(self, **_):
            yield b"{}"

    def on_send(request, **_):
        captured.append(request)
        return AWSResponse(request.url, 200, {"content-type": "application/json"}, _Raw())

    def run(vector, client, op, **params):
        client.meta.events.register("before-send", on_send)
        getattr(client, op)(**params)
        req = captured.pop()
        body = req.body if isinstance(req.body, (bytes, type(None))) else req.body.encode()
        write(vector, "botocore-client", req.method, req.url, list(req.headers.items()), body)

    local = make(ENDPOINT)
    run("create_stage", local, "create_stage", name="demo-stage", tags={"team": "a b"})
    run("list_tags_for_resource", local, "list_tags_for_resource", resourceArn=ARN)
    run("untag_resource", local, "untag_resource", resourceArn=ARN, tagKeys=["a", "b c"])
    # Characters every encoder treats differently: space, '+', '/', '=', '~', non-ASCII, '%'.
    run(
        "untag_resource_odd_chars",
        local,
        "untag_resource",
        resourceArn="arn:aws:ivs:us-east-1:123456789012:stage/Ab Cd~é+x%y",
        tagKeys=["z", "ü", "a+b", "x/y=z", "~_.-", "B", "50%"],
    )
    run("get_stage_default_endpoint", make(None), "get_stage", arn=ARN)


def raw_vectors():
    """Requests signed by SigV4Auth directly, for inputs the generated client never produces."""

    def sign(name, method, url, headers, body, creds=None, extra=None):
        req = AWSRequest(method=method, url=url, data=body)
        for n, v in headers:
            req.headers[n] = v  # HTTPMessage appends, so repeated names stay repeated.
        SigV4Auth(creds or Credentials(AKID, SECRET), SERVICE, REGION).add_auth(req)
        write(name, "botocore-sigv4auth", method, url, list(req.headers.items()), body, extra)

    json_ct = [("Content-Type", "application/x-amz-json-1.1")]
    sign("post_empty_body", "POST", ENDPOINT + "/ListStages", json_ct, b"")
    sign(
        "extra_signed_headers",
        "POST",
        ENDPOINT + "/ListStages",
        json_ct
        + [
            ("X-Amz-User-Agent", "  aws-sdk-js/3.0.0   ua/2.1 \t os/linux  "),
            ("X-Custom", "first   value"),
            ("x-custom", " second\tvalue "),
        ],
        b'{"maxResults":5}',
    )
    sign("date_header", "POST", ENDPOINT + "/ListStages", json_ct + [("Date", "x")], b"{}")
    body = b'{"name":"x"}'
    sign(
        "content_sha256_signed",
        "POST",
        ENDPOINT + "/CreateStage",
        json_ct + [("X-Amz-Content-SHA256", hashlib.sha256(body).hexdigest())],
        body,
    )
    sign("dot_segments", "POST", ENDPOINT + "//a/./b/../ListStages/", json_ct, b"{}")
    sign(
        "query_unsorted",
        "GET",
        ENDPOINT + "/tags/x?tagKeys=z&tagKeys=a&Tag=1&empty=&bare&%C3%BC=~",
        [],
        b"",
    )
    sign(
        "security_token",
        "POST",
        ENDPOINT + "/ListStages",
        json_ct,
        b"{}",
        creds=Credentials(AKID, SECRET, "FwoGZXIvYXdzEXAMPLETOKEN"),
    )


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests = []

    def _handle(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        _Recorder.requests.append((self.command, self.path, list(self.headers.items()), body))
        out = b'{"message":"recorded"}'
        self.send_response(403)
        self.send_header("x-amzn-ErrorType", "AccessDeniedException")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    do_GET = do_POST = do_DELETE = _handle

    def log_message(self, *_):
        pass


def cli_vectors():
    """Requests sent over a real socket by the unmodified `aws` CLI."""
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = "http://127.0.0.1:%d" % server.server_address[1]
    env = dict(os.environ, AWS_ACCESS_KEY_ID=AKID, AWS_SECRET_ACCESS_KEY=SECRET)
    env.pop("AWS_SESSION_TOKEN", None)
    env.pop("AWS_PROFILE", None)
    runs = [
        ("cli_list_stages", ["list-stages"]),
        ("cli_untag_resource", ["untag-resource", "--resource-arn", ARN, "--tag-keys", "a", "b c"]),
    ]
    for name, args in runs:
        cmd = ["aws", "ivs-realtime"] + args + ["--endpoint-url", url, "--region", REGION, "--debug"]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        method, target, headers, body = _Recorder.requests.pop()
        # --debug logs botocore's canonical request and string to sign; keep them as the truth.
        log = proc.stderr
        cr = re.search(r"CanonicalRequest:\n(.*?)\n\d{4}-\d\d-\d\d \d\d:", log, re.S).group(1)
        sts = re.search(r"StringToSign:\n(.*?)\n\d{4}-\d\d-\d\d \d\d:", log, re.S).group(1)
        stamp = dict((k.lower(), v) for k, v in headers)["x-amz-date"]
        _recorded["canonical_request"] = cr
        _recorded["string_to_sign"] = sts
        global FIXED_NOW
        saved, FIXED_NOW = FIXED_NOW, datetime.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ")
        write(name, "aws-cli", method, url + target, headers, body)
        FIXED_NOW = saved
    server.shutdown()


if __name__ == "__main__":
    client_vectors()
    raw_vectors()
    if "--cli" in sys.argv:
        cli_vectors()
