"""`pollguard serve` behind a real reverse proxy, the documented deployment (docs/deployment.md).

A real `pollguard serve` subprocess (waitress) sits behind Debian's nginx, which terminates
TLS on 127.0.0.1 and sets X-Forwarded-For/-Proto/-Host itself, as in the documented
configuration. Clients are told apart the way the internet tells them apart: by their
address. Linux routes all of 127.0.0.0/8 to the loopback interface, so "client A" connects
from 127.0.0.2 and "client B" from 127.0.0.3, and nginx sees each one's own address.

Without the trusted-proxy configuration waitress drops the forwarded headers, every client
looks like the proxy (127.0.0.1): five wrong passwords from anyone lock the chair out for
everyone, and with HTTPS on every request redirects to itself. These tests show neither
happens, and that a client cannot choose its address by sending X-Forwarded-For itself.

They run on SQLite, and on PostgreSQL when DATABASE_URL is set (a scratch database on that
server, dropped afterwards), because the server process is the deployed one.
"""

from __future__ import annotations

import http.client
import os
import re
import ssl
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

from .personas import PASSWORD
from .served import clean_environment, free_port, scratch_database, wait_for_port

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
NGINX = Path("/usr/sbin/nginx")
CLIENT_A = "127.0.0.2"
CLIENT_B = "127.0.0.3"
PUBLIC_LIMIT = 20  # public requests per address per minute in this module's server

# Loads the tests' small election and creates the chair, inside the server's database.
SETUP = f"""
import sys
sys.path.insert(0, {str(REPO)!r})
from pollguard.web.bootstrap import setup
setup()
from pollguard.accounts.actions import do_provision_user
from pollguard.accounts.choices import Role
from pollguard.registry.loader import do_load_package
from tests.web.personas import make_package
do_load_package(make_package(), acting_user=None)
do_provision_user("chair", password={PASSWORD!r}, role=Role.CHAIR, acting_user=None)
"""

NGINX_CONF = """
daemon off;
master_process off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {tmp}/cert.pem;
        ssl_certificate_key {tmp}/key.pem;
        location / {{
            proxy_pass http://127.0.0.1:{app_port};
            proxy_set_header Host $http_host;
            # Overwrite, never append: what the client sent is not evidence of anything.
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $http_host;
        }}
    }}
}}
"""


@dataclass
class Site:
    port: int  # nginx, the only address clients use


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The tests' election served by `pollguard serve` (HTTPS on) behind nginx with TLS."""
    if not NGINX.exists():
        if os.environ.get("CI"):
            raise AssertionError("nginx is missing: scripts/test installs it")
        pytest.skip("Debian's nginx is not installed (apt-get install nginx-light)")
    tmp = tmp_path_factory.mktemp("proxy")
    env = clean_environment()
    database, drop = scratch_database("proxy")
    if database:
        env["DATABASE_URL"] = database
    env.update(
        POLLGUARD_DATA_DIR=str(tmp / "data"),
        POLLGUARD_SECRET_KEY="proxy-test-secret-key-" + uuid.uuid4().hex,
        POLLGUARD_HTTPS="1",
        POLLGUARD_TRUSTED_PROXY="127.0.0.1",
        POLLGUARD_LOGIN_MAX_FAILURES="5",
        POLLGUARD_PUBLIC_RATE_LIMIT=str(PUBLIC_LIMIT),
    )
    processes: list[subprocess.Popen[str]] = []
    try:
        prepared = subprocess.run(
            [sys.executable, "-c", SETUP], env=env, capture_output=True, text=True, check=False
        )
        assert prepared.returncode == 0, prepared.stderr
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-subj", "/CN=127.0.0.1", "-keyout", str(tmp / "key.pem"),
             "-out", str(tmp / "cert.pem")],
            capture_output=True, check=True,
        )  # fmt: skip
        app_port, proxy_port = free_port(), free_port()
        app = subprocess.Popen(
            # Two server processes: a lockout, a session and HTTPS must hold across them.
            [sys.executable, "-m", "pollguard", "serve", "--port", str(app_port),
             "--processes", "2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        processes.append(app)
        wait_for_port(app_port, app, "pollguard serve")
        conf = tmp / "nginx.conf"
        conf.write_text(NGINX_CONF.format(tmp=tmp, port=proxy_port, app_port=app_port))
        nginx = subprocess.Popen(
            [str(NGINX), "-p", str(tmp), "-c", str(conf), "-e", str(tmp / "error.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        processes.append(nginx)
        wait_for_port(proxy_port, nginx, "nginx")
        yield Site(port=proxy_port)
    finally:
        for process in reversed(processes):
            process.terminate()
            process.wait(timeout=10)
        drop()


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: str

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")

    def cookies(self) -> list[str]:
        return self.headers.get_all("Set-Cookie") or []


@dataclass
class Browser:
    """One client machine: its own source address, its own cookies, HTTPS to the proxy."""

    site: Site
    address: str
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.site.port}"

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None, **headers: str
    ) -> Answer:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
        conn = http.client.HTTPSConnection(
            "127.0.0.1", self.site.port, source_address=(self.address, 0), context=context,
            timeout=60,
        )  # fmt: skip
        sent = {k.replace("_", "-"): v for k, v in headers.items()}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent.setdefault("Origin", self.origin)
            sent.setdefault("Referer", f"{self.origin}{path}")
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            answer = Answer(response.status, response.headers, response.read().decode())
        finally:
            conn.close()
        for raw in answer.cookies():
            for name, morsel in SimpleCookie(raw).items():
                self.cookies[name] = morsel.value
        return answer

    def log_in(self, password: str, **headers: str) -> Answer:
        page = self.request("GET", "/accounts/login/", **headers)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        assert token, page.body[:500]
        form = {"username": "chair", "password": password, "csrfmiddlewaretoken": token[1]}
        return self.request("POST", "/accounts/login/", form, **headers)


def signed_in(answer: Answer) -> bool:
    return answer.status == 302 and "/accounts/login" not in answer.location


def test_wrong_passwords_from_one_client_do_not_lock_the_chair_out_elsewhere(site: Site) -> None:
    attacker = Browser(site, CLIENT_A)
    for _ in range(5):
        assert not signed_in(attacker.log_in("wrong password"))
    # The attacker's address is locked out, even with the right password ...
    assert not signed_in(attacker.log_in(PASSWORD))
    # ... and the chair, on another machine, signs in.
    assert signed_in(Browser(site, CLIENT_B).log_in(PASSWORD))


def test_a_client_cannot_choose_its_address_by_sending_x_forwarded_for(site: Site) -> None:
    # Client B has signed in before from 127.0.0.3; client A claims to be B and to be
    # someone new on every attempt. nginx overwrites the header, so all of it is counted
    # against A's own address.
    attacker = Browser(site, "127.0.0.4")
    for n in range(5):
        forged = f"{CLIENT_B}, 198.51.100.{n}"
        assert not signed_in(attacker.log_in("wrong password", X_Forwarded_For=forged))
    assert not signed_in(attacker.log_in(PASSWORD, X_Forwarded_For="198.51.100.200"))
    assert signed_in(Browser(site, CLIENT_B).log_in(PASSWORD))


def test_https_through_the_proxy_does_not_redirect_to_itself(site: Site) -> None:
    answer = Browser(site, CLIENT_B).request("GET", "/")
    assert answer.status == 302
    assert answer.location.startswith("/accounts/login/"), answer.location
    login = Browser(site, CLIENT_B).request("GET", "/accounts/login/")
    assert login.status == 200


def test_https_through_the_proxy_sends_hsts_and_secure_cookies(site: Site) -> None:
    browser = Browser(site, "127.0.0.5")
    page = browser.request("GET", "/accounts/login/")
    assert "max-age=31536000" in page.headers.get("Strict-Transport-Security", "")
    answer = browser.log_in(PASSWORD)
    assert signed_in(answer)
    session = [c for c in answer.cookies() if c.startswith("sessionid=")]
    assert session
    assert all("Secure" in c and "HttpOnly" in c for c in session)
    assert all("Secure" in c for c in page.cookies() if c.startswith("csrftoken="))


def test_the_public_rate_limit_counts_each_client_behind_the_proxy_on_its_own(
    site: Site,
) -> None:
    scraper, citizen = Browser(site, "127.0.0.5"), Browser(site, "127.0.0.6")
    for _ in range(PUBLIC_LIMIT):
        answer = scraper.request("GET", "/public/centers.json?q=C-0001")
        assert answer.status == 200
        assert answer.cookies() == []  # HTTPS on, still no cookie for an anonymous visitor
    refused = scraper.request("GET", "/public/centers.json?q=C-0001")
    assert refused.status == 429
    assert int(refused.headers["Retry-After"]) >= 1
    # Claiming another address changes nothing: nginx overwrites the header.
    forged = scraper.request("GET", "/public/", X_Forwarded_For="198.51.100.77")
    assert forged.status == 429
    # Everyone else behind the same proxy is still answered.
    assert citizen.request("GET", "/public/").status == 200
