#!/usr/bin/python3
"""Loopback stand-ins for the OAuth side of Google and Microsoft, for channel-verifier tests.

HTTPS mode (default) answers like the real endpoints, at their real paths:
  POST /token                                   Google token endpoint
  POST /{tenant}/oauth2/v2.0/token              Microsoft identity platform
  GET  /v1.0/users/{id}                         Microsoft Graph user
  GET  /v1.0/users/{id}/mailboxSettings
  GET  /v1.0/me/memberOf/microsoft.graph.directoryRole
  POST /v1.0/users/{id}/sendMail                the verifier's send check (no recipients),
                                                and SendTest's send (202 Accepted)
  GET  /gmail/v1/users/me/profile               Gmail API
  POST /gmail/v1/users/{userId}/messages/send   SendTest's send ({"raw": base64url})
  GET  /admin/directory/v1/users/{userKey}      Admin SDK Directory API
SMTP mode (--smtp) is a submission server with STARTTLS and AUTH XOAUTH2.

The behaviour is chosen per request by a scenario name carried in the token: a refresh token
"rt-<scenario>" is exchanged for the access token "at-<scenario>", and every API and the SMTP
server read the scenario from the bearer token. See SCENARIOS below. --scenario sets a default
for requests without one. Prints "READY <port>" once listening. Python 3 stdlib only.

--record DIR keeps every send request (both send routes, before answering, whatever the
scenario) as NNNN-<api>.body (the body exactly as received) and NNNN-<api>.meta (lines
"key=value": api, path, user, scenario, content_type, correlation_id: the X-Channel-Verifier-Test
of the message, or "none"), so a test can count the sends of one call and parse what arrived.

Send scenarios (besides the shared ones: bad-token, slow, html, ...):
  Gmail  ok (200 with id/threadId/labelIds), g-scope (403 insufficientPermissions), g-noscope
         (403 ACCESS_TOKEN_SCOPE_INSUFFICIENT; its token lacks Gmail scopes), g-nomail (400
         failedPrecondition), g-badrcpt (400 "Invalid To header"), g-other (403 "Delegation
         denied"), g-sendlimit (429 "(Mail sending)"), g-userrate (403 userRateLimitExceeded),
         g-daily (403 dailyLimitExceeded)
  Graph  ok (202, empty body), m-sendas, m-accessdenied, m-noscope (403 ErrorAccessDenied; its
         token lacks Mail.Send), m-nolicense, m-invaliduser, m-badrcpt (400
         ErrorInvalidRecipients), m-msglimit (ErrorExceededMessageLimit), m-throttled (429
         ApplicationThrottled)
  both   send-500 (500 with the provider's error JSON), send-drop (reads the request, then
         closes the connection without an answer)
"""

import argparse
import base64
import binascii
import email.parser
import email.policy
import itertools
import json
import os
import socket
import socketserver
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
EXCHANGE_ADMIN = "29232cdf-9323-42fd-ade2-1d097af3e4de"

# Token-endpoint errors. Microsoft: scenario "aadsts-<code>"; Google: "gerr-<error>".
AADSTS_ERRORS = {
    "700082": ("invalid_grant", "AADSTS700082: The refresh token has expired due to inactivity."),
    "50173": ("invalid_grant", "AADSTS50173: The provided grant has expired due to it being revoked."),
    "70043": ("invalid_grant", "AADSTS70043: The refresh token has expired or is invalid due to sign-in frequency checks by conditional access."),
    "50076": ("interaction_required", "AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication."),
    "50079": ("interaction_required", "AADSTS50079: Due to a configuration change made by your administrator, you must enroll in multi-factor authentication."),
    "53003": ("invalid_grant", "AADSTS53003: Access has been blocked by Conditional Access policies."),
    "530032": ("invalid_grant", "AADSTS530032: User blocked due to risk on home tenant."),
    "530035": ("invalid_grant", "AADSTS530035: Access has been blocked by security defaults."),
    "65001": ("invalid_grant", "AADSTS65001: The user or administrator has not consented to use the application."),
    "90094": ("invalid_grant", "AADSTS90094: The grant requires admin permission."),
    "90095": ("invalid_grant", "AADSTS90095: Admin consent is required for the permissions requested by this application."),
    "7000215": ("invalid_client", "AADSTS7000215: Invalid client secret provided."),
    "7000222": ("invalid_client", "AADSTS7000222: The provided client secret keys are expired."),
    "700016": ("unauthorized_client", "AADSTS700016: Application with identifier 'x' was not found in the directory."),
    "50057": ("invalid_grant", "AADSTS50057: The user account is disabled."),
    "50053": ("invalid_grant", "AADSTS50053: The account is locked."),
    "90002": ("invalid_request", "AADSTS90002: Tenant 'contoso.invalid' not found."),
    "50020": ("invalid_grant", "AADSTS50020: User account from identity provider does not exist in tenant."),
    "50034": ("invalid_grant", "AADSTS50034: The user account does not exist in the directory."),
    "500011": ("invalid_resource", "AADSTS500011: The resource principal named https://outlook.office.com was not found in the tenant named contoso. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant."),
    "70000": ("invalid_grant", "AADSTS70000: The request was denied because one or more scopes requested are unauthorized or expired. The user must first sign in and grant the client application access to the requested scope."),
    "50126": ("invalid_grant", "AADSTS50126: Error validating credentials due to invalid username or password."),
    # No row knows it: the OAuth-worded fallback.
    "900144": ("invalid_request", "AADSTS900144: The request body must contain the following parameter: 'grant_type'."),
}
GOOGLE_ERRORS = {
    "invalid_grant": (400, "Token has been expired or revoked."),
    "admin_policy_enforced": (400, "Access to your account data is restricted by policies within your organization."),
    "unauthorized_client": (401, "Unauthorized"),
    "invalid_client": (401, "The OAuth client was not found."),
}

GOOGLE_SCOPES = ("https://mail.google.com/ "
                 "https://www.googleapis.com/auth/admin.directory.user.readonly")
MS_SCOPES = ("https://graph.microsoft.com/Mail.Send https://graph.microsoft.com/User.Read "
             "https://graph.microsoft.com/MailboxSettings.Read")


def graph_error(code, message):
    return {"error": {"code": code, "message": message,
                      "innerError": {"request-id": "00000000-0000-0000-0000-000000000000"}}}


def google_error(code, message, reason, status):
    return {"error": {"code": code, "message": message,
                      "errors": [{"message": message, "domain": "global", "reason": reason}],
                      "status": status}}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "oauth-peer"

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("oauth_peer: " + (fmt % args) + "\n")

    # --- plumbing

    def send_json(self, status, obj, extra_headers=()):
        body = json.dumps(obj).encode()
        self.send_raw(status, body, "application/json; charset=utf-8", extra_headers)

    def send_raw(self, status, body, content_type="application/json", extra_headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        for k, v in extra_headers:
            self.send_header(k, v)
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass
        self.close_connection = True

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def record_send(self, api, user, scenario, body, correlation_id):
        """Keeps a send request where the test can read it (--record)."""
        directory = self.server.record_dir
        if not directory:
            return
        with self.server.record_lock:
            n = next(self.server.record_seq)
        stem = os.path.join(directory, "%04d-%s" % (n, api))
        with open(stem + ".body", "wb") as f:
            f.write(body)
        meta = {"api": api, "path": self.path, "user": user, "scenario": scenario or "",
                "content_type": self.headers.get("Content-Type", ""),
                "correlation_id": correlation_id or "none"}
        # Written last and renamed into place: a reader never sees half a record.
        with open(stem + ".meta.tmp", "w") as f:
            for k, v in meta.items():
                f.write("%s=%s\n" % (k, str(v).replace("\n", " ")))
        os.replace(stem + ".meta.tmp", stem + ".meta")

    def drop(self):
        """The request was read whole; the connection ends without an answer."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def bearer_scenario(self):
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer at-"):
            return auth[len("Bearer at-"):]
        if auth.startswith("Bearer "):
            return "bad-token"
        return None

    def transport_scenario(self, scenario):
        """Misbehaviour any route can show. True if handled."""
        if scenario == "slow":
            time.sleep(self.server.slow_seconds)
            self.send_json(200, {"late": True})
            return True
        if scenario == "redirect":
            self.send_raw(302, b"", "text/html",
                          [("Location", "https://login.attacker.invalid/steal")])
            return True
        if scenario == "huge":
            # Declared and sent in full: the client must stop reading at its own limit.
            size = 4 * 1024 * 1024
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(size))
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                chunk = b" " * 65536
                for _ in range(size // len(chunk)):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
                pass
            self.close_connection = True
            return True
        if scenario == "malformed":
            self.send_raw(200, b'{"access_token": "at-ok", "expires_in": 3599, "scope": ')
            return True
        if scenario == "html":
            self.send_raw(500, b"<html><body>Internal error</body></html>", "text/html")
            return True
        return False

    # --- routes

    def do_POST(self):
        path = urllib.parse.urlsplit(self.path).path
        parts = [p for p in path.split("/") if p]
        if path == "/token":
            return self.token(google=True)
        if len(parts) == 4 and parts[1:] == ["oauth2", "v2.0", "token"]:
            return self.token(google=False, tenant=parts[0])
        if len(parts) == 4 and parts[:2] == ["v1.0", "users"] and parts[3] == "sendMail":
            return self.graph_send(urllib.parse.unquote(parts[2]))
        if (len(parts) == 6 and parts[:3] == ["gmail", "v1", "users"]
                and parts[4:] == ["messages", "send"]):
            return self.gmail_send(urllib.parse.unquote(parts[3]))
        self.send_json(404, {"error": "no such route"})

    def do_GET(self):
        split = urllib.parse.urlsplit(self.path)
        parts = [p for p in split.path.split("/") if p]
        scenario = self.bearer_scenario()
        if scenario is None:
            return self.send_json(401, graph_error("InvalidAuthenticationToken",
                                                   "Access token is empty."))
        if self.transport_scenario(scenario):
            return
        if parts[:2] == ["v1.0", "users"] and len(parts) == 3:
            return self.graph_user(urllib.parse.unquote(parts[2]), scenario)
        if parts[:2] == ["v1.0", "users"] and len(parts) == 4 and parts[3] == "mailboxSettings":
            return self.graph_mailbox_settings(scenario)
        if parts == ["v1.0", "me", "memberOf", "microsoft.graph.directoryRole"]:
            return self.graph_roles(scenario)
        if parts == ["gmail", "v1", "users", "me", "profile"]:
            return self.gmail_profile(scenario)
        if parts[:4] == ["admin", "directory", "v1", "users"] and len(parts) == 5:
            return self.directory_user(urllib.parse.unquote(parts[4]), scenario)
        self.send_json(404, {"error": "no such route"})

    def token(self, google, tenant=None):
        body = self.read_body().decode("ascii", "replace")
        self.server.last_form = body
        form = urllib.parse.parse_qs(body)
        self.server.seen_forms.append({k: v[0] for k, v in form.items()})
        refresh = form.get("refresh_token", [""])[0]
        client_id = form.get("client_id", [""])[0]
        secret = form.get("client_secret", [""])[0]
        scenario = refresh[3:] if refresh.startswith("rt-") else self.server.default_scenario
        if self.transport_scenario(scenario):
            return
        if form.get("grant_type", [""])[0] != "refresh_token" or not client_id or not secret:
            return self.send_json(400, {"error": "invalid_request",
                                        "error_description": "missing parameters"})
        if secret != self.server.client_secret:
            if google:
                return self.send_json(401, {"error": "invalid_client",
                                            "error_description": "Unauthorized"})
            return self.send_json(401, {"error": "invalid_client", "error_codes": [7000215],
                                        "error_description": "AADSTS7000215: Invalid client "
                                        "secret provided."})
        if scenario == "echo":
            # A hostile token endpoint quoting the request back: the refresh token plain, in
            # base64 and JSON-escaped, the whole form (percent-encoded client secret) too.
            return self.send_json(400, {
                "error": "invalid_grant",
                "error_description": "bad token %s (b64 %s) from form %s" % (
                    refresh, base64.b64encode(refresh.encode()).decode(), self.server.last_form),
                "echo": {"refresh_token": refresh, "client_secret": secret}})
        if google:
            if scenario.startswith("gerr-"):
                error = scenario[5:]
                status, description = GOOGLE_ERRORS[error]
                return self.send_json(status, {"error": error, "error_description": description})
            scope = GOOGLE_SCOPES
            if scenario == "g-noscope":
                scope = "https://www.googleapis.com/auth/userinfo.email"
            return self.send_json(200, {"access_token": "at-" + scenario, "expires_in": 3599,
                                        "scope": scope, "token_type": "Bearer"})
        if scenario.startswith("aadsts-"):
            # "aadsts-<code>": every field; "aadsts-desc-<code>": the code only in the
            # description; "aadsts-uri-<code>": only in error_uri (not every answer has all).
            code = scenario.rsplit("-", 1)[1]
            error, description = AADSTS_ERRORS[code]
            body = {"error": error, "timestamp": "2024-01-01 00:00:00Z", "trace_id": "0000",
                    "correlation_id": "0000"}
            if not scenario.startswith("aadsts-uri-"):
                body["error_description"] = (description + "\r\nTrace ID: 0000\r\n"
                                             "Correlation ID: 0000\r\nTimestamp: 2024-01-01 "
                                             "00:00:00Z")
            if scenario.startswith("aadsts-uri-"):
                body["error_uri"] = "https://login.microsoftonline.com/error?code=" + code
            if not scenario.startswith(("aadsts-desc-", "aadsts-uri-")):
                body["error_codes"] = [int(code)]
            return self.send_json(400, body)
        requested = form.get("scope", [""])[0]
        scope = MS_SCOPES
        if scenario == "m-noscope":
            scope = "https://graph.microsoft.com/User.Read"
        if "outlook.office.com" in requested:
            scope = "https://outlook.office.com/SMTP.Send"
        return self.send_json(200, {"token_type": "Bearer", "scope": scope, "expires_in": 4632,
                                    "ext_expires_in": 4632, "access_token": "at-" + scenario,
                                    "refresh_token": "rt-rotated"})

    # Microsoft Graph

    def graph_common_errors(self, scenario):
        if scenario in ("bad-token", "m-expired"):
            self.send_json(401, graph_error("InvalidAuthenticationToken",
                                            "Access token has expired or is not yet valid."),
                           [("WWW-Authenticate", 'Bearer realm="", error="invalid_token"')])
            return True
        if scenario == "m-invaliduser":
            self.send_json(404, graph_error("ErrorInvalidUser",
                                            "The requested user 'x' is invalid."))
            return True
        if scenario == "m-nolicense":
            self.send_json(404, graph_error("MailboxNotEnabledForRESTAPI",
                                            "The mailbox is either inactive, soft-deleted, or "
                                            "is hosted on-premise."))
            return True
        return False

    def graph_user(self, user, scenario):
        if scenario in ("bad-token", "m-expired"):
            return self.graph_common_errors(scenario)
        if scenario == "m-invaliduser":
            return self.send_json(404, graph_error("Request_ResourceNotFound",
                                                   "Resource '%s' does not exist." % user))
        enabled, licenses = True, [{"skuId": "c7df2760-2c81-4ef7-b578-5b5392b571df",
                                    "disabledPlans": []}]
        if scenario == "m-shared":
            enabled, licenses = False, []
        if scenario == "m-nolicense":
            licenses = []
        self.send_json(200, {"accountEnabled": enabled, "assignedLicenses": licenses,
                             "userType": "Member", "mail": user, "userPrincipalName": user})

    def graph_mailbox_settings(self, scenario):
        if self.graph_common_errors(scenario):
            return
        if scenario == "m-accessdenied":
            return self.send_json(403, graph_error("ErrorAccessDenied",
                                                   "Access is denied. Check credentials and try "
                                                   "again."))
        purpose = "shared" if scenario == "m-shared" else "user"
        self.send_json(200, {"timeZone": "W. Europe Standard Time", "language":
                             {"locale": "de-DE"}, "userPurpose": purpose})

    def graph_roles(self, scenario):
        if scenario in ("bad-token", "m-expired"):
            return self.graph_common_errors(scenario)
        roles = [{"@odata.type": "#microsoft.graph.directoryRole", "id": "r1",
                  "displayName": "Global Administrator", "roleTemplateId": GLOBAL_ADMIN}]
        if scenario in ("m-notadmin", "m-shared"):
            roles = [{"@odata.type": "#microsoft.graph.directoryRole", "id": "r2",
                      "displayName": "Directory Readers",
                      "roleTemplateId": "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"}]
        self.send_json(200, {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata"
                             "#directoryObjects", "value": roles})

    def graph_send(self, user):
        scenario = self.bearer_scenario()
        body = self.read_body()
        self.server.send_checks.append(body)
        try:
            message = json.loads(body or b"{}").get("message", {})
        except (ValueError, AttributeError):
            message = {}
        correlation_id = None
        for h in message.get("internetMessageHeaders") or []:
            if isinstance(h, dict) and str(h.get("name", "")).lower() == "x-channel-verifier-test":
                correlation_id = h.get("value")
        self.record_send("graph", user, scenario, body, correlation_id)
        if scenario is None:
            return self.send_json(401, graph_error("InvalidAuthenticationToken", "empty"))
        if self.transport_scenario(scenario) or self.graph_common_errors(scenario):
            return
        if scenario in ("m-accessdenied", "m-noscope"):
            return self.send_json(403, graph_error("ErrorAccessDenied", "Access is denied. Check "
                                                   "credentials and try again."))
        if scenario == "m-sendas":
            return self.send_json(403, graph_error("ErrorSendAsDenied", "The user account which "
                                                   "was used to submit this request does not have "
                                                   "the right to send mail on behalf of the "
                                                   "specified sending account."))
        if not message.get("toRecipients"):
            return self.send_json(400, graph_error("ErrorInvalidRecipients", "At least one "
                                                   "recipient is not valid."))
        if scenario == "m-badrcpt":
            return self.send_json(400, graph_error(
                "ErrorInvalidRecipients", "At least one recipient isn't valid., Recipient '%s' "
                "isn't resolved. All recipients must be resolved before a message can be "
                "submitted." % message["toRecipients"][0].get("emailAddress", {}).get("address")))
        if scenario == "m-msglimit":
            return self.send_json(403, graph_error(
                "ErrorExceededMessageLimit", "Cannot send mail: the sending limit of this "
                "mailbox has been exceeded."))
        if scenario == "m-throttled":
            return self.send_json(429, graph_error("ApplicationThrottled", "Application is over "
                                                   "its MailboxConcurrency limit."),
                                  [("Retry-After", "30")])
        if scenario == "send-500":
            return self.send_json(500, graph_error("ErrorInternalServerError", "An internal "
                                                   "server error occurred. The operation failed."))
        if scenario == "send-drop":
            return self.drop()
        self.send_raw(202, b"", "text/plain")

    # Google APIs

    def gmail_send(self, user_id):
        scenario = self.bearer_scenario()
        body = self.read_body()
        raw = b""
        correlation_id = None
        try:
            encoded = json.loads(body).get("raw", "")
            raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
            headers = email.parser.BytesHeaderParser(policy=email.policy.default).parsebytes(raw)
            correlation_id = headers.get("X-Channel-Verifier-Test")
        except (ValueError, AttributeError, TypeError, binascii.Error):
            pass
        self.record_send("gmail", user_id, scenario, body, correlation_id)
        if scenario is None:
            return self.send_json(401, {"error": {"code": 401, "message": "Request is missing "
                                                  "required authentication credential.",
                                                  "status": "UNAUTHENTICATED"}})
        if scenario == "bad-token":
            return self.send_json(401, {"error": {"code": 401, "message": "Request had invalid "
                                                  "authentication credentials.", "status":
                                                  "UNAUTHENTICATED"}})
        if self.transport_scenario(scenario):
            return
        if scenario == "g-nomail":
            return self.send_json(400, google_error(400, "Mail service not enabled",
                                                    "failedPrecondition", "FAILED_PRECONDITION"))
        if scenario == "g-scope":
            return self.send_json(403, google_error(403, "Request had insufficient "
                                                    "authentication scopes.",
                                                    "insufficientPermissions",
                                                    "PERMISSION_DENIED"))
        if scenario == "g-noscope":
            return self.send_json(403, {"error": {
                "code": 403, "message": "Request had insufficient authentication scopes.",
                "status": "PERMISSION_DENIED",
                "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                             "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                             "domain": "googleapis.com",
                             "metadata": {"service": "gmail.googleapis.com",
                                          "method": "caribou.api.proto.MailboxService.SendMessage"}}]}},
                [("WWW-Authenticate", 'Bearer realm="https://accounts.google.com/", '
                  'error="insufficient_scope", scope="https://www.googleapis.com/auth/gmail.send"')])
        if scenario == "g-other" or user_id not in ("me", self.server.account):
            return self.send_json(403, google_error(403, "Delegation denied for %s" % user_id,
                                                    "forbidden", "PERMISSION_DENIED"))
        if scenario == "g-badrcpt":
            return self.send_json(400, google_error(400, "Invalid To header", "invalidArgument",
                                                    "INVALID_ARGUMENT"))
        if scenario == "g-sendlimit":
            return self.send_json(429, google_error(
                429, "User-rate limit exceeded.  Retry after 2024-01-01T12:00:00.000Z (Mail "
                "sending)", "rateLimitExceeded", "RESOURCE_EXHAUSTED"))
        if scenario == "g-userrate":
            return self.send_json(403, {"error": {"code": 403, "message": "User Rate Limit "
                                                  "Exceeded", "errors": [{"domain": "usageLimits",
                                                  "reason": "userRateLimitExceeded", "message":
                                                  "User Rate Limit Exceeded"}]}})
        if scenario == "g-daily":
            return self.send_json(403, {"error": {"code": 403, "message": "Daily Limit Exceeded",
                                                  "errors": [{"domain": "usageLimits", "reason":
                                                  "dailyLimitExceeded", "message":
                                                  "Daily Limit Exceeded"}]}})
        if scenario == "send-500":
            return self.send_json(500, google_error(500, "Backend Error", "backendError",
                                                    "INTERNAL"))
        if scenario == "send-drop":
            return self.drop()
        if not raw:
            return self.send_json(400, google_error(400, "'raw' RFC822 payload message string "
                                                    "or uploading message via /upload/* URL "
                                                    "required", "invalidArgument",
                                                    "INVALID_ARGUMENT"))
        self.send_json(200, {"id": "18c2f0a9d3b4e5f6", "threadId": "18c2f0a9d3b4e5f6",
                             "labelIds": ["SENT"]})

    def gmail_profile(self, scenario):
        if scenario == "bad-token":
            return self.send_json(401, {"error": {"code": 401, "message": "Request had invalid "
                                                  "authentication credentials.", "status":
                                                  "UNAUTHENTICATED"}})
        if scenario == "g-nomail":
            return self.send_json(400, google_error(400, "Mail service not enabled",
                                                    "failedPrecondition", "FAILED_PRECONDITION"))
        if scenario == "g-scope":
            return self.send_json(403, google_error(403, "Request had insufficient "
                                                    "authentication scopes.",
                                                    "insufficientPermissions",
                                                    "PERMISSION_DENIED"),
                                  [("WWW-Authenticate", 'Bearer realm="https://accounts.google.'
                                    'com/", error="insufficient_scope", scope="https://mail.'
                                    'google.com/"')])
        email = self.server.account
        if scenario == "g-other":
            email = "someone.else@example.org"
        self.send_json(200, {"emailAddress": email, "messagesTotal": 12,
                             "threadsTotal": 10, "historyId": "4711"})

    def directory_user(self, user_key, scenario):
        if scenario == "bad-token":
            return self.send_json(401, {"error": {"code": 401, "message": "Login Required.",
                                                  "errors": [{"reason": "required"}]}})
        if scenario == "g-notadmin":
            return self.send_json(403, google_error(403, "Not Authorized to access this "
                                                    "resource/api", "forbidden",
                                                    "PERMISSION_DENIED"))
        user = {"kind": "admin#directory#user", "primaryEmail": user_key, "isAdmin": True,
                "isDelegatedAdmin": False, "suspended": False, "archived": False,
                "isMailboxSetup": True}
        if scenario == "g-isadmin-false":
            user["isAdmin"] = False
        if scenario == "g-mailbox-not-setup":
            user["isMailboxSetup"] = False
        if scenario == "g-suspended":
            user["suspended"] = True
        self.send_json(200, user)


class HttpsServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


# --- SMTP with STARTTLS and AUTH XOAUTH2


class SmtpHandler(socketserver.StreamRequestHandler):
    timeout = 30

    def send(self, line):
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def handle(self):
        ctx = self.server.ssl_context
        tls = False
        sock = self.connection
        self.send("220 smtp.peer.test ESMTP oauth_peer ready")
        while True:
            line = self.rfile.readline(4096)
            if not line:
                return
            cmd = line.decode("ascii", "replace").rstrip("\r\n")
            verb = cmd.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                caps = ["250-smtp.peer.test", "250-SIZE 35882577", "250-8BITMIME"]
                if not tls:
                    caps.append("250-STARTTLS")
                else:
                    caps.append("250-AUTH LOGIN XOAUTH2")
                caps.append("250 ENHANCEDSTATUSCODES")
                for c in caps:
                    self.send(c)
            elif verb == "STARTTLS" and not tls:
                self.send("220 2.0.0 Ready to start TLS")
                sock = ctx.wrap_socket(sock, server_side=True)
                self.connection = sock
                self.rfile = sock.makefile("rb")
                self.wfile = sock.makefile("wb")
                tls = True
            elif verb == "AUTH" and cmd.upper().startswith("AUTH XOAUTH2"):
                self.xoauth2(cmd)
            elif verb == "QUIT":
                self.send("221 2.0.0 Bye")
                return
            elif verb == "NOOP":
                self.send("250 2.0.0 OK")
            else:
                self.send("502 5.5.1 Unrecognized command")

    def xoauth2(self, cmd):
        parts = cmd.split(" ")
        try:
            decoded = base64.b64decode(parts[2]).decode("utf-8", "replace")
        except Exception:  # noqa: BLE001 - any garbage is a syntax error
            self.send("501 5.5.2 Cannot decode response")
            return
        fields = dict(f.split("=", 1) for f in decoded.split("\x01") if "=" in f)
        token = fields.get("auth", "")
        scenario = token[len("Bearer at-"):] if token.startswith("Bearer at-") else "bad-token"
        self.server.auth_users.append(fields.get("user", ""))
        if self.server.flavour == "google":
            if scenario in ("bad-token", "g-xo-bad", "g-noscope"):
                challenge = json.dumps({"status": "400", "schemes": "Bearer",
                                        "scope": "https://mail.google.com/"}).encode()
                self.send("334 " + base64.b64encode(challenge).decode())
                self.rfile.readline(4096)  # the client's empty line
                self.send("535-5.7.8 Username and Password not accepted. For more information, go to")
                self.send("535 5.7.8  https://support.google.com/mail/?p=BadCredentials a1-20020a - gsmtp")
                return
            self.send("235 2.7.0 Accepted")
            return
        if scenario == "m-smtpoff":
            self.send("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is "
                      "disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more "
                      "information. [AM0PR01CA0001.eurprd01.prod.exchangelabs.com "
                      "2024-01-01T00:00:00.000Z 08DBB276B7E699C4]")
            return
        if scenario in ("bad-token", "m-xo-bad"):
            self.send("535 5.7.3 Authentication unsuccessful [AM0PR01CA0001.eurprd01.prod."
                      "exchangelabs.com 2024-01-01T00:00:00.000Z 08DBB276B7E699C4]")
            return
        self.send("235 2.7.0 Authentication successful")


class SmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--scenario", default="ok", help="for requests that name none")
    parser.add_argument("--client_secret", default="test-client-secret")
    parser.add_argument("--account", default="jobs@example.com",
                        help="what the Gmail profile reports")
    parser.add_argument("--slow_seconds", type=float, default=20.0)
    parser.add_argument("--smtp", choices=["google", "microsoft"],
                        help="serve SMTP with XOAUTH2 as this provider instead of HTTPS")
    parser.add_argument("--record", help="directory for the send requests (see above)")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)

    if args.smtp:
        server = SmtpServer((args.host, args.port), SmtpHandler)
        server.ssl_context = ctx
        server.flavour = args.smtp
        server.auth_users = []
    else:
        server = HttpsServer((args.host, args.port), Handler)
        # The handshake runs in the handler thread, so a silent client cannot stall accept().
        server.socket = ctx.wrap_socket(server.socket, server_side=True,
                                        do_handshake_on_connect=False)
        server.default_scenario = args.scenario
        server.client_secret = args.client_secret
        server.account = args.account
        server.slow_seconds = args.slow_seconds
        server.verbose = args.verbose
        server.seen_forms = []
        server.send_checks = []
        server.record_dir = args.record
        server.record_lock = threading.Lock()
        server.record_seq = itertools.count(1)
    print("READY %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
