"""Fake identity providers and a fake wiki, served on loopback threads, so sign-in tests need
no internet: an OpenID Connect provider (discovery, authorize, token with a signed id_token,
userinfo, JWKS) and a MediaWiki (OAuth 2 REST endpoints and the action API)."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs, urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
KID = "accord-test-key"
CLIENT_SECRET = "shared-with-the-test-app"  # noqa: S105 (a fake provider's)


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class Loopback:
    """Serve a WSGI app on 127.0.0.1 on a free port, in a daemon thread."""

    def __init__(self, app):
        self.httpd = make_server(
            "127.0.0.1", 0, app, server_class=_Server, handler_class=_QuietHandler
        )
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def _respond(start_response, status, body, content_type="application/json", headers=()):
    if not isinstance(body, bytes | str):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode()
    start_response(status, [("Content-Type", content_type), *headers])
    return [body]


def _redirect(start_response, location):
    start_response("302 Found", [("Location", location)])
    return [b""]


def _form(environ) -> dict[str, str]:
    size = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(size).decode() if size else ""
    return {k: v[0] for k, v in parse_qs(raw).items()}


def _query(environ) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}


class FakeAuthServer:
    """An OAuth 2 authorisation server with a consent page (Allow / Deny).

    `user` holds the claims of whoever "signs in" at the provider; set `token_error` to make
    the token endpoint fail. A GET of the authorize URL shows the consent page; adding
    `decision=allow` or `decision=deny` to it answers at once (for tests without a browser)."""

    kind = "oauth2"
    name = "Fake provider"

    def __init__(self, *, client_id="accord-test", secret=CLIENT_SECRET, user=None):
        self.client_id = client_id
        self.secret = secret
        self.user = user or {}
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, dict] = {}
        self.token_error = ""
        self.requests: list[str] = []
        self.server = Loopback(self)
        self.url = self.server.url

    def stop(self):
        self.server.stop()

    # Paths, overridden per kind.
    authorize_path = "/authorize"
    token_path = "/token"

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        self.requests.append(f"{environ['REQUEST_METHOD']} {path}")
        if path == self.authorize_path:
            return self.authorize(environ, start_response)
        if path == self.token_path and environ["REQUEST_METHOD"] == "POST":
            return self.token(environ, start_response)
        return self.other(path, environ, start_response)

    def other(self, path, environ, start_response):
        return _respond(start_response, "404 Not Found", {"error": "not_found"})

    def authorize(self, environ, start_response):
        params = _query(environ)
        if environ["REQUEST_METHOD"] == "POST":
            params = _form(environ)
        if params.get("client_id") != self.client_id:
            return _respond(start_response, "400 Bad Request", "Unknown client", "text/plain")
        decision = params.get("decision")
        if decision is None:
            return self.consent_page(params, start_response)
        redirect_uri = params["redirect_uri"]
        if decision != "allow":
            query = {"error": "access_denied", "state": params.get("state", "")}
            return _redirect(start_response, f"{redirect_uri}?{urlencode(query)}")
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "redirect_uri": redirect_uri,
            "challenge": params.get("code_challenge", ""),
            "user": dict(self.user),
        }
        query = {"code": code, "state": params.get("state", "")}
        return _redirect(start_response, f"{redirect_uri}?{urlencode(query)}")

    def consent_page(self, params, start_response):
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in params.items()
        )
        page = (
            f"<!DOCTYPE html><html lang='en'><head><title>{self.name}</title></head><body>"
            f"<h1>{self.name}</h1><p>Accord wants to know who you are.</p>"
            f'<form method="post" action="{self.authorize_path}">{hidden}'
            '<button name="decision" value="allow">Allow</button> '
            '<button name="decision" value="deny">Deny</button></form></body></html>'
        )
        return _respond(start_response, "200 OK", page, "text/html; charset=utf-8")

    def token(self, environ, start_response):
        form = _form(environ)
        if self.token_error:
            return _respond(start_response, "400 Bad Request", {"error": self.token_error})
        grant = self.codes.pop(form.get("code", ""), None)
        if (
            grant is None
            or form.get("client_id") != self.client_id
            or form.get("client_secret") != self.secret
            or form.get("redirect_uri") != grant["redirect_uri"]
        ):
            return _respond(start_response, "400 Bad Request", {"error": "invalid_grant"})
        if grant["challenge"]:
            verifier = form.get("code_verifier", "").encode()
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
            if digest.decode() != grant["challenge"]:
                return _respond(start_response, "400 Bad Request", {"error": "invalid_grant"})
        access = secrets.token_urlsafe(16)
        self.tokens[access] = grant["user"]
        body = {"access_token": access, "token_type": "Bearer", "expires_in": 3600}
        body.update(self.extra_token_fields(grant["user"]))
        return _respond(start_response, "200 OK", body)

    def extra_token_fields(self, user) -> dict:
        return {}

    def bearer_user(self, environ):
        header = environ.get("HTTP_AUTHORIZATION", "")
        return self.tokens.get(header.removeprefix("Bearer ").strip())


class FakeOIDC(FakeAuthServer):
    name = "Fake ID"

    def discovery(self) -> dict:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def other(self, path, environ, start_response):
        if path == "/.well-known/openid-configuration":
            return _respond(start_response, "200 OK", self.discovery())
        if path == "/jwks":
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(_KEY.public_key()))
            jwk.update({"kid": KID, "alg": "RS256", "use": "sig"})
            return _respond(start_response, "200 OK", {"keys": [jwk]})
        if path == "/userinfo":
            user = self.bearer_user(environ)
            if user is None:
                return _respond(start_response, "401 Unauthorized", {"error": "invalid_token"})
            return _respond(start_response, "200 OK", user)
        return super().other(path, environ, start_response)

    def extra_token_fields(self, user) -> dict:
        now = int(time.time())
        claims = {"iss": self.url, "aud": self.client_id, "iat": now, "exp": now + 300, **user}
        token = jwt.encode(claims, _KEY, algorithm="RS256", headers={"kid": KID})
        return {"id_token": token}


class FakeMediaWiki(FakeAuthServer):
    """MediaWiki's OAuth 2 REST endpoints plus the action API's list=users.

    `wiki_users` maps user names to {"editcount", "registration", "blocked"}; `api_delay`
    makes the action API slow (for timeout tests). Every other action API request (page
    revisions, sitematrix) goes to `wiki`, a tests.fake_wiki.FakeWiki."""

    name = "Fake Wiki"
    authorize_path = "/w/rest.php/oauth2/authorize"
    token_path = "/w/rest.php/oauth2/access_token"

    def __init__(self, **kwargs):
        from tests.fake_wiki import FakeWiki

        self.wiki_users: dict[str, dict] = {}
        self.wiki = FakeWiki()
        self.api_delay = 0.0
        self.api_calls = 0
        super().__init__(**kwargs)

    @property
    def rest_api(self) -> str:
        return f"{self.url}/w/rest.php"

    @property
    def api_url(self) -> str:
        return f"{self.url}/w/api.php"

    def other(self, path, environ, start_response):
        if path == "/w/rest.php/oauth2/resource/profile":
            user = self.bearer_user(environ)
            if user is None:
                return _respond(start_response, "401 Unauthorized", {"error": "invalid_token"})
            return _respond(start_response, "200 OK", user)
        if path == "/w/api.php":
            return self.action_api(environ, start_response)
        return super().other(path, environ, start_response)

    def action_api(self, environ, start_response):
        self.api_calls += 1
        if self.api_delay:
            time.sleep(self.api_delay)
        params = _query(environ)
        if environ["REQUEST_METHOD"] == "POST":  # edits (action=edit) go to the page wiki
            return self.wiki.api(environ, start_response)
        if params.get("action") != "query" or params.get("list") != "users":
            if params.get("action") in ("query", "sitematrix") and "list" not in params:
                return self.wiki.api(environ, start_response)
            return _respond(
                start_response, "200 OK", {"error": {"code": "badparams", "info": "Bad params"}}
            )
        name = params.get("ususers", "")
        found = self.wiki_users.get(name)
        if found is None:
            entry = {"name": name, "missing": True}
        else:
            entry = {
                "userid": 1 + list(self.wiki_users).index(name),
                "name": name,
                "editcount": found.get("editcount", 0),
                "registration": found.get("registration"),
            }
            if found.get("blocked"):
                entry.update({"blockid": 7, "blockedby": "Admin", "blockreason": "Vandalism"})
        return _respond(
            start_response, "200 OK", {"batchcomplete": True, "query": {"users": [entry]}}
        )
