"""A real nginx in front of the remote Home Assistant, requiring client certificates."""

from __future__ import annotations

from dataclasses import dataclass, field
import os
from pathlib import Path
import shutil
import subprocess
from typing import Literal

from .ports import free_port, wait_for_port
from .processes import stop_process_group

VerifyMode = Literal["on", "optional"]

MAIN_TEMPLATE = """\
{user}
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log info;
events {{ worker_connections 1024; }}
http {{
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
{http}
}}
"""
WEBSOCKET_MAP = """\
    map $http_upgrade $connection_upgrade {
        default upgrade;
        '' close;
    }
"""


def main_config(prefix: Path, http: str) -> str:
    """nginx.conf for a private nginx under `prefix`; `http` goes inside its http block."""
    user = "user root;" if os.geteuid() == 0 else ""
    return MAIN_TEMPLATE.format(user=user, prefix=prefix, http=http)


# The seed's site: client certificate required, websocket upgrade, long-lived connections.
SERVER_TEMPLATE = """\
    server {{
        listen 127.0.0.1:{port} ssl;
        server_name localhost;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_client_certificate {client_ca};
        ssl_verify_client {verify};
        ssl_verify_depth 3;
        {reject_unverified}
        location / {{
{proxy}
            proxy_pass http://127.0.0.1:{upstream};
        }}
        location /ha/ {{
{proxy}
            proxy_pass http://127.0.0.1:{upstream}/;
        }}
    }}
"""

PROXY_SETTINGS = """\
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_read_timeout 3600s;
            proxy_buffering off;"""


@dataclass(frozen=True)
class Site:
    """One TLS listener of the proxy."""

    cert: Path
    key: Path
    client_ca: Path
    verify: VerifyMode = "on"
    port: int = field(default_factory=free_port)
    upstream: int | None = None  # default: the proxy's upstream


def nginx_binary() -> str:
    """Path of nginx (Debian installs it in /usr/sbin)."""
    found = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.access(found, os.X_OK):
        raise RuntimeError("nginx is not installed; run script/setup")
    return found


@dataclass
class Nginx:
    """An nginx process with several sites, all proxying to one upstream port."""

    prefix: Path
    upstream: int
    sites: dict[str, Site]
    process: subprocess.Popen[bytes] | None = None

    def url(self, site: str, path: str = "") -> str:
        """https URL of a site (127.0.0.1: the server certificates carry that IP)."""
        return f"https://127.0.0.1:{self.sites[site].port}{path}"

    def write_config(self) -> Path:
        """Render nginx.conf for the sites."""
        (self.prefix / "tmp").mkdir(parents=True, exist_ok=True)
        servers = "".join(
            SERVER_TEMPLATE.format(
                port=site.port,
                cert=site.cert,
                key=site.key,
                client_ca=site.client_ca,
                verify=site.verify,
                reject_unverified=(
                    "if ($ssl_client_verify != SUCCESS) { return 403; }"
                    if site.verify == "optional"
                    else ""
                ),
                proxy=PROXY_SETTINGS,
                upstream=site.upstream or self.upstream,
            )
            for site in self.sites.values()
        )
        config = main_config(self.prefix, WEBSOCKET_MAP + servers)
        path = self.prefix / "nginx.conf"
        path.write_text(config)
        return path

    def start(self) -> None:
        """Start nginx in the foreground (as a child) and wait for every site."""
        config = self.write_config()
        log = (self.prefix / "stderr.log").open("ab")
        self.process = subprocess.Popen(
            [nginx_binary(), "-p", str(self.prefix), "-c", str(config), "-g", "daemon off;"],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        for site in self.sites.values():
            wait_for_port(site.port, 15)

    def stop(self) -> None:
        """Stop nginx at once (closes every proxied connection)."""
        stop_process_group(self.process)
        self.process = None

    def restart(self) -> None:
        """Stop, then start on the same ports."""
        self.stop()
        self.start()
