"""nginx with libnginx-mod-rtmp (Debian's packages) as an upstream RTMP server on a loopback port."""
import os
import socket
import subprocess
import tempfile
import time

MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Nginx:
    def __init__(self, port=None):
        self.dir = tempfile.mkdtemp(prefix="stagegate-nginx-")
        self.record_dir = os.path.join(self.dir, "record")
        os.makedirs(self.record_dir)
        os.chmod(self.record_dir, 0o777)  # nginx workers may run as an unprivileged user
        os.chmod(self.dir, 0o755)
        self.port = port or free_port()
        self.conf = os.path.join(self.dir, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(f"""
load_module {MODULE};
daemon off;
master_process off;
worker_processes 1;
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log warn;
events {{ worker_connections 256; }}
rtmp {{
    server {{
        listen 127.0.0.1:{self.port};
        chunk_size 4096;
        application live {{
            live on;
            record all;
            record_path {self.record_dir};
            record_unique on;
            allow publish 127.0.0.1;
            deny publish all;
            allow play 127.0.0.1;
            deny play all;
        }}
    }}
}}
""")
        self.proc = None

    def start(self, timeout=10):
        self.proc = subprocess.Popen(["nginx", "-p", self.dir, "-c", self.conf],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                if self.proc.poll() is not None:
                    raise AssertionError("nginx exited: " + self.proc.stderr.read().decode())
                time.sleep(0.05)
        raise AssertionError("nginx did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()  # fast shutdown: drops the relay's connection
            self.proc.wait(timeout=10)

    def recordings(self):
        return sorted(os.path.join(self.record_dir, f) for f in os.listdir(self.record_dir))

    def url_template(self):
        return f"rtmp://127.0.0.1:{self.port}/live/{{stageId}}-{{participantId}}"
