"""Webhook replicas on one machine: N `manage.py runbot` processes, optionally behind nginx.

For the replica test (tests/e2e/test_replicas.py) and bench/replicas.py. Each replica is a
real process on its own loopback port serving the same public webhook URL; `Nginx` is
Debian's nginx with a config of its own in a temporary directory (no root paths, no port
80), balancing the webhook path over the replicas as the compose profile `scale` does
(deploy/nginx/bot.conf). The fake Bot API plays Telegram in front of it all; the people
writing to it are devtools.replica_load's.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_URL = "https://bot.example.com/telegram/hook"
SECRET = "replica-secret-" + "r" * 40


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx",) if os.access(path, os.X_OK)), None
    )


def _wait_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


class Nginx:
    """nginx balancing `path` over `upstreams` (ports), listening on a port of its own."""

    def __init__(self, workdir: Path, upstreams: list[int], path: str = "/telegram/hook"):
        self.workdir = workdir / "nginx"
        self.upstreams, self.path = upstreams, path
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def config(self) -> str:
        servers = "\n".join(f"        server 127.0.0.1:{port};" for port in self.upstreams)
        temp = self.workdir / "temp"
        # The same proxying as deploy/nginx/bot.conf; paths under workdir.
        return f"""
worker_processes 1;
pid {self.workdir}/nginx.pid;
error_log {self.workdir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    upstream bot {{
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{self.port};
        location = {self.path} {{
            proxy_pass http://bot;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_next_upstream error timeout http_502 http_503 non_idempotent;
            proxy_next_upstream_tries 3;
            proxy_connect_timeout 1s;
            proxy_read_timeout 60s;
        }}
        location / {{ return 404; }}
    }}
}}
"""

    def start(self) -> "Nginx":
        binary = nginx_binary()
        if binary is None:
            raise RuntimeError("nginx is not installed (apt-get install nginx-light)")
        (self.workdir / "temp").mkdir(parents=True, exist_ok=True)
        # Workers run as nobody when the master is root: they must write the temp dirs.
        for path in (self.workdir, self.workdir / "temp"):
            path.chmod(0o777)
        conf = self.workdir / "nginx.conf"
        conf.write_text(self.config())
        self.process = subprocess.Popen(  # noqa: S603 - our own config, a fixed binary
            [binary, "-p", str(self.workdir), "-c", str(conf), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=open(self.workdir / "stderr.log", "wb"),  # noqa: SIM115 - lives with nginx
        )
        _wait_port(self.port, 10)
        return self

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful: finish open requests
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


class Replica:
    def __init__(self, index: int, env: dict[str, str], workdir: Path):
        self.index, self.env = index, env
        self.port = free_port()
        self.log = workdir / f"replica-{index}.log"
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        env = self.env | {"TELEGRAM_WEBHOOK_PORT": str(self.port)}
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "runbot"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        pattern = re.compile(r"Webhook replica serving")
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"replica {self.index} exited:\n{self.output()}")
            if len(pattern.findall(self.output())) >= self.starts:
                return
            time.sleep(0.05)
        raise TimeoutError(f"replica {self.index} did not start:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        """SIGKILL: no clean-up, whatever it was doing."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self, timeout: float = 30) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(5)

    def cpu_seconds(self) -> float:
        """User + system CPU of the process so far (from /proc)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def replica_env(base: dict[str, str], fake) -> dict[str, str]:
    """The environment of a replica: the fake's token and address, webhook mode."""
    return base | {
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "TELEGRAM_WEBHOOK_URL": PUBLIC_URL,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1",
    }
