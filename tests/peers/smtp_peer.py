#!/usr/bin/python3
"""SMTP test peer: one server process on a loopback port, for the integration tests.

Prints "READY <port>" on stdout once listening (--port 0 picks a free port) and runs until
SIGTERM/SIGINT. Logs go to stderr. Run with /usr/bin/python3 (Debian's aiosmtpd).

Modes (--mode):
  aiosmtpd  A well-behaved server (aiosmtpd): --tls none|starttls|implicit, --cert/--key,
            --require-starttls, --users u:p,..., AUTH PLAIN and LOGIN, --auth-fail-reply.
  scripted  Raw asyncio server replaying a script (--profile NAME or --script FILE.json or
            --script-json '{...}'), for provider-specific replies and faults. Default when a
            profile or script is given. --list-profiles shows the ready-made ones.
  silent    Accepts TCP connections and never says a word.

Received messages (both SMTP modes) go to --maildir as msg-NNNN.eml (raw DATA, dot-unstuffed)
plus msg-NNNN.env (written last, so its presence means the message is complete), lines of
"key value": mail_from, rcpt_to (one line each), auth_user, tls (0/1), peer. In scripted mode,
--maildir also gets conn-NNNN.log per connection: "C: line" / "S: line", as sent and received.

Script keys (scripted mode; missing keys fall back to the "generic-ok" profile, a key set to
null means "not used"). A reply is a string or a list of lines (multi-line replies list
every line with its "NNN-" / "NNN " prefix):
  profile             base profile to extend
  hostname            {host} in replies
  greeting            220 greeting
  ehlo, ehlo_tls      EHLO reply lines before / after TLS (ehlo_tls null: same as ehlo). STARTTLS
                      works only if "STARTTLS" is among the current lines; AUTH mechanisms are
                      the ones of the current "AUTH ..." line
  helo, starttls      replies to HELO and STARTTLS (220 then the handshake)
  after_tls           reply to the first command after the TLS handshake (e.g. a 421)
  tls_required        reply to AUTH/MAIL before TLS (Gmail's 530 5.7.0)
  auth                final AUTH reply: a reply, or {"PLAIN": r, "LOGIN": r, "XOAUTH2": r,
                      "default": r}
  users, auth_ok      optional {"user": "secret"}: matching credentials (for XOAUTH2 the token)
                      get auth_ok (default 235) instead of auth
  xoauth2_challenge   JSON object: on a failing XOAUTH2, send "334 base64(JSON)" first, wait for
                      the client's empty line, then the final reply (Google)
  auth_unknown_mech, auth_again, auth_cancelled
  mail_unauthenticated  reply to MAIL FROM without a successful AUTH (null: use "mail")
  mail, rcpt, data, data_end, rset, noop, quit, unknown, need_hello, need_mail, need_rcpt
  greeting_554        the greeting for fault greeting-554
  line_bytes          length of the line of fault megabyte-line
  fault               null, or one of FAULTS below (also --fault)
  delay_ms            pause before every reply, greeting and 334s included (also --delay-ms)
Any reply starting with 421 closes the connection after it is sent, as real servers do.
"""

import argparse
import asyncio
import base64
import binascii
import datetime
import email.utils
import itertools
import json
import os
import re
import signal
import socket
import ssl
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_util  # noqa: E402
import smtp_profiles  # noqa: E402

FAULTS = {
    "silent": "accept, never send a greeting, read and ignore",
    "greeting-554": "send greeting_554, then 503 to everything but QUIT",
    "close-after-starttls": "send STARTTLS's 220, then close instead of the handshake",
    "drop-after-data-cmd": "close right after the DATA command, before any 354",
    "drop-after-data": "close after the message's final '.', before the reply",
    "reset": "accept and close at once with a TCP RST",
    "megabyte-line": "a greeting of one line of line_bytes (default 8 MiB) bytes, then its CRLF",
    "endless-ehlo": "greet, then answer EHLO with '250-' lines that never end",
    "tls-garbage": "answer the ClientHello (after STARTTLS's 220, or at once with "
                   "--tls implicit) with bytes that are not TLS, then read and ignore",
    "tls-stall": "where the TLS handshake belongs, read and ignore: the handshake never ends",
}

# Faults that take the place of the TLS handshake: with --tls implicit the listener must not
# do the handshake itself.
TLS_FAULTS = ("tls-garbage", "tls-stall")

# Not TLS (the first byte is no TLS record type) and not SMTP either.
GARBAGE = b"\x00\xffNOT-TLS\x07\x1b[0m garbage " * 8

GOOGLE_ID = "a1-20020a05600c000000b00000000000000sm0000000wmq.0"


def log(*args):
    print("smtp_peer:", *args, file=sys.stderr, flush=True)


def as_lines(reply):
    if reply is None:
        return []
    if isinstance(reply, str):
        return reply.replace("\r\n", "\n").split("\n")
    return list(reply)


def ms_trailer():
    now = datetime.datetime.now(datetime.timezone.utc)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (now.microsecond // 1000)
    return "[MN2PR05CA0004.namprd05.prod.outlook.com %s 08DBB276B7E699C4]" % stamp


def server_context(cert, key, max_version=None):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    if max_version:
        versions = {"1.0": ssl.TLSVersion.TLSv1, "1.1": ssl.TLSVersion.TLSv1_1,
                    "1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}
        if max_version in ("1.0", "1.1"):
            # OpenSSL 3's default security level refuses these versions outright.
            ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
            ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.maximum_version = versions[max_version]
    return ctx


class Recorder:
    """Writes received messages and transcripts where the test can read them."""

    def __init__(self, directory):
        self.dir = directory
        self.messages = itertools.count(1)
        self.connections = itertools.count(1)
        if directory:
            os.makedirs(directory, exist_ok=True)

    def save_message(self, mail_from, rcpt_tos, data, auth_user, tls, peer):
        if not self.dir:
            return
        base = os.path.join(self.dir, "msg-%04d" % next(self.messages))
        with open(base + ".eml", "wb") as f:
            f.write(data)
        env = ["mail_from %s" % (mail_from or "")]
        env += ["rcpt_to %s" % r for r in rcpt_tos]
        env += ["auth_user %s" % (auth_user or ""), "tls %d" % bool(tls), "peer %s" % peer]
        with open(base + ".env.tmp", "w") as f:
            f.write("\n".join(env) + "\n")
        os.rename(base + ".env.tmp", base + ".env")

    def transcript(self):
        if not self.dir:
            return None
        return open(os.path.join(self.dir, "conn-%04d.log" % next(self.connections)), "w")


# --- scripted mode --------------------------------------------------------------------------

class Closed(Exception):
    """The session is over (client gone, QUIT, 421 or a fault)."""


class ScriptedSession:
    on_quit = None  # called once when the client says QUIT

    def __init__(self, script, reader, writer, recorder, tls_context, implicit_tls):
        self.s = script
        self.reader = reader
        self.writer = writer
        self.recorder = recorder
        self.tls_context = tls_context
        self.tls = implicit_tls
        self.peer = writer.get_extra_info("peername")[0]
        self.log = recorder.transcript()
        self.delay = (script.get("delay_ms") or 0) / 1000.0
        self.pending_after_tls = False
        self.reset_session()

    def reset_session(self):
        self.greeted = False
        self.auth_user = None
        self.authenticated = False
        self.reset_transaction()

    def reset_transaction(self):
        self.mail_from = None
        self.rcpt_tos = []
        self.bdat = bytearray()

    # Output.
    def expand(self, line, addr=""):
        values = {"host": self.s.get("hostname") or "localhost", "peer": self.peer,
                  "gid": GOOGLE_ID, "addr": addr, "size": addr}
        if "{date}" in line:
            values["date"] = email.utils.format_datetime(
                datetime.datetime.now(datetime.timezone.utc))
        if "{ms}" in line:
            values["ms"] = ms_trailer()
        return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), line)

    async def reply(self, reply, addr=""):
        lines = [self.expand(line, addr) for line in as_lines(reply)]
        if not lines:
            return
        if self.delay:
            await asyncio.sleep(self.delay)
        self.writer.write("".join(line + "\r\n" for line in lines).encode("utf-8"))
        for line in lines:
            self.trace("S", line)
        await self.writer.drain()
        if lines[-1].startswith("421"):
            raise Closed()

    def trace(self, who, line):
        if self.log:
            self.log.write("%s: %s\n" % (who, line))
            self.log.flush()

    # Input.
    async def read_line(self):
        try:
            raw = await self.reader.readline()
        except (ValueError, asyncio.LimitOverrunError, ConnectionError, ssl.SSLError):
            raise Closed()
        if not raw:
            raise Closed()
        line = raw.rstrip(b"\r\n").decode("utf-8", errors="replace")
        self.trace("C", line)
        return line

    def current_ehlo(self):
        if self.tls and self.s.get("ehlo_tls") is not None:
            return as_lines(self.s["ehlo_tls"])
        return as_lines(self.s.get("ehlo"))

    def offers(self, keyword):
        for line in self.current_ehlo()[1:]:
            words = line[4:].upper().split()
            if words and words[0] == keyword:
                return words[1:] or [keyword]
        return None

    async def run(self):
        try:
            await self.converse()
        except (Closed, ConnectionError, ssl.SSLError, asyncio.IncompleteReadError):
            pass
        finally:
            if self.log:
                self.log.close()
            try:
                self.writer.close()
            except Exception:  # the transport may already be gone; nothing left to do
                pass

    async def converse(self):
        fault = self.s.get("fault")
        if fault == "reset":
            sock = self.writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.writer.transport.abort()
            raise Closed()
        if fault == "silent":
            while await self.reader.read(4096):
                pass
            raise Closed()
        if fault in TLS_FAULTS and self.tls:
            await self.instead_of_tls(fault)
        if fault == "megabyte-line":
            await self.megabyte_line()
        if fault == "greeting-554":
            await self.reply(self.s.get("greeting_554"))
            while True:
                verb = (await self.read_line()).split(" ", 1)[0].upper()
                if verb == "QUIT":
                    await self.reply(self.s.get("quit"))
                    raise Closed()
                await self.reply("503 5.5.1 No service")
        await self.reply(self.s.get("greeting"))
        while True:
            line = await self.read_line()
            verb, _, arg = line.partition(" ")
            verb = verb.upper()
            if self.pending_after_tls:
                self.pending_after_tls = False
                await self.reply(self.s["after_tls"])
                continue
            handler = getattr(self, "cmd_" + verb, None)
            if handler is None:
                await self.reply(self.s.get("unknown"))
            else:
                await handler(arg.strip())

    async def ignore_input(self):
        while await self.reader.read(65536):
            pass
        raise Closed()

    async def instead_of_tls(self, fault):
        self.trace("-", "fault %s instead of the TLS handshake" % fault)
        if fault == "tls-garbage":
            # Answer the ClientHello, as a TLS server would: garbage sent along with STARTTLS's
            # 220 would be caught as data before TLS instead.
            if not await self.reader.read(65536):
                raise Closed()
            self.writer.write(GARBAGE)
            await self.writer.drain()
        await self.ignore_input()

    async def megabyte_line(self):
        size = int(self.s.get("line_bytes") or 8 * 1024 * 1024)
        self.trace("S", "220 <%d bytes>" % size)
        self.writer.write(b"220 ")
        chunk = b"x" * 65536
        left = size
        while left > 0:
            self.writer.write(chunk[:left])
            left -= min(left, len(chunk))
            await self.writer.drain()  # raises once the client gives up and closes
        self.writer.write(b"\r\n")
        await self.writer.drain()
        await self.ignore_input()

    async def endless_ehlo(self):
        host = self.expand("{host}")
        self.writer.write(("250-%s\r\n" % host).encode())
        for n in itertools.count():
            self.writer.write(("250-X-ENDLESS-%d\r\n" % n).encode())
            if n % 256 == 0:
                if self.writer.is_closing():
                    raise Closed()
                await self.writer.drain()
                await asyncio.sleep(0)  # and notice a client that went away

    async def cmd_EHLO(self, arg):
        if self.s.get("fault") == "endless-ehlo":
            self.trace("S", "250-... (endless)")
            await self.endless_ehlo()
        lines = self.current_ehlo()
        self.greeted = lines[:1] != [] and lines[0][:1] == "2"
        self.reset_transaction()
        await self.reply(lines)

    async def cmd_HELO(self, arg):
        self.greeted = True
        self.reset_transaction()
        await self.reply(self.s.get("helo"))

    async def cmd_STARTTLS(self, arg):
        if self.tls or self.offers("STARTTLS") is None:
            return await self.reply(self.s.get("unknown"))
        if self.tls_context is None:
            log("STARTTLS offered but no --cert/--key given")
            return await self.reply("454 4.7.0 TLS not available due to local problem")
        await self.reply(self.s.get("starttls"))
        if self.s.get("fault") == "close-after-starttls":
            raise Closed()
        if self.s.get("fault") in TLS_FAULTS:
            await self.instead_of_tls(self.s["fault"])
        try:
            await self.writer.start_tls(self.tls_context)
        except (ssl.SSLError, ConnectionError, OSError) as e:
            log("TLS handshake failed:", e)
            self.writer.transport.abort()
            raise Closed()
        self.tls = True
        self.trace("-", "TLS %s" % self.writer.get_extra_info("ssl_object").version())
        self.reset_session()
        self.pending_after_tls = bool(self.s.get("after_tls"))

    def auth_reply_for(self, mechanism, user, secret):
        users = self.s.get("users")
        if users and user is not None and users.get(user) == secret:
            return self.s.get("auth_ok") or "235 2.7.0 Authentication successful"
        auth = self.s.get("auth")
        if isinstance(auth, dict):
            return auth.get(mechanism, auth.get("default"))
        return auth

    async def read_sasl(self):
        """Reads one SASL client line; '*' cancels, as RFC 4954 says."""
        line = await self.read_line()
        if line.strip() == "*":
            await self.reply(self.s.get("auth_cancelled"))
            return None
        return line.strip()

    async def cmd_AUTH(self, arg):
        if not self.tls and self.s.get("tls_required"):
            return await self.reply(self.s["tls_required"])
        if not self.greeted:
            return await self.reply(self.s.get("need_hello"))
        if self.authenticated:
            return await self.reply(self.s.get("auth_again"))
        mechanism, _, initial = arg.partition(" ")
        mechanism = mechanism.upper()
        offered = self.offers("AUTH") or []
        if mechanism not in offered or mechanism not in ("PLAIN", "LOGIN", "XOAUTH2"):
            return await self.reply(self.s.get("auth_unknown_mech"))
        user = secret = None
        if mechanism == "PLAIN":
            if not initial:
                await self.reply("334 ")
                initial = await self.read_sasl()
                if initial is None:
                    return
            parts = b64(initial).split(b"\0")
            if len(parts) == 3:
                user, secret = parts[1].decode(errors="replace"), parts[2].decode(errors="replace")
        elif mechanism == "LOGIN":
            if not initial:
                await self.reply("334 VXNlcm5hbWU6")  # "Username:"
                initial = await self.read_sasl()
                if initial is None:
                    return
            user = b64(initial).decode(errors="replace")
            await self.reply("334 UGFzc3dvcmQ6")  # "Password:"
            line = await self.read_sasl()
            if line is None:
                return
            secret = b64(line).decode(errors="replace")
        else:  # XOAUTH2: "user=<addr>\x01auth=Bearer <token>\x01\x01"
            if not initial:
                await self.reply("334 ")
                initial = await self.read_sasl()
                if initial is None:
                    return
            fields = dict(f.split("=", 1) for f in
                          b64(initial).decode(errors="replace").split("\x01") if "=" in f)
            user = fields.get("user")
            secret = fields.get("auth", "").removeprefix("Bearer ")
        final = self.auth_reply_for(mechanism, user, secret)
        if self.s.get("echo_auth") and final:
            # A hostile server quoting what it was sent: "{arg}" is the client's base64
            # argument, "{secret}" the password or token it carried.
            final = final.replace("{arg}", initial or "").replace("{secret}", secret or "")
        ok = as_lines(final)[-1].startswith("235")
        if not ok and mechanism == "XOAUTH2" and self.s.get("echo_auth") == "challenge":
            # The XOAUTH2 blob itself sent back as the error challenge.
            await self.reply("334 " + (initial or ""))
            await self.read_line()
        elif not ok and mechanism == "XOAUTH2" and self.s.get("xoauth2_challenge"):
            challenge = json.dumps(self.s["xoauth2_challenge"], separators=(",", ":"))
            await self.reply("334 " + base64.b64encode(challenge.encode()).decode())
            await self.read_line()  # the client's empty line (or anything) ends the exchange
        if ok:
            self.authenticated = True
            self.auth_user = user
        await self.reply(final)

    async def cmd_MAIL(self, arg):
        if not self.tls and self.s.get("tls_required"):
            return await self.reply(self.s["tls_required"])
        if not self.greeted:
            return await self.reply(self.s.get("need_hello"))
        addr = address(arg)
        if not self.authenticated and self.s.get("mail_unauthenticated"):
            return await self.reply(self.s["mail_unauthenticated"], addr)
        reply = self.s.get("mail")
        if as_lines(reply)[-1].startswith("2"):
            self.reset_transaction()
            self.mail_from = addr
        await self.reply(reply, addr)

    async def cmd_RCPT(self, arg):
        if self.mail_from is None:
            return await self.reply(self.s.get("need_mail"))
        addr = address(arg)
        reply = self.s.get("rcpt")
        if as_lines(reply)[-1].startswith("2"):
            self.rcpt_tos.append(addr)
        await self.reply(reply, addr)

    async def cmd_DATA(self, arg):
        if not self.rcpt_tos:
            return await self.reply(self.s.get("need_rcpt"))
        if self.s.get("fault") == "drop-after-data-cmd":
            raise Closed()
        reply = self.s.get("data")
        await self.reply(reply)
        if not as_lines(reply)[-1].startswith("3"):
            return
        body = bytearray()
        while True:
            raw = await self.reader.readline()
            if not raw:
                raise Closed()
            if raw in (b".\r\n", b".\n"):
                break
            body += raw[1:] if raw.startswith(b".") else raw
        self.trace("C", "<%d bytes of message data>" % len(body))
        if self.s.get("fault") == "drop-after-data":
            self.writer.transport.abort()
            raise Closed()
        await self.finish_message(bytes(body))

    async def cmd_BDAT(self, arg):
        parts = arg.split()
        if not parts or not parts[0].isdigit():
            return await self.reply("501 5.5.4 Syntax: BDAT size [LAST]")
        chunk = await self.reader.readexactly(int(parts[0]))
        self.trace("C", "<%d bytes of BDAT data>" % len(chunk))
        if not self.rcpt_tos:
            return await self.reply(self.s.get("need_rcpt"))
        self.bdat += chunk
        if len(parts) > 1 and parts[1].upper() == "LAST":
            await self.finish_message(bytes(self.bdat))
        else:
            await self.reply("250 2.0.0 {size} octets received", parts[0])

    async def finish_message(self, data):
        reply = self.s.get("data_end")
        if as_lines(reply)[-1].startswith("2"):
            self.recorder.save_message(self.mail_from, self.rcpt_tos, data, self.auth_user,
                                       self.tls, self.peer)
        self.reset_transaction()
        await self.reply(reply, self.mail_from or "")

    async def cmd_RSET(self, arg):
        self.reset_transaction()
        await self.reply(self.s.get("rset"))

    async def cmd_NOOP(self, arg):
        await self.reply(self.s.get("noop"))

    async def cmd_QUIT(self, arg):
        # The client is done once it said QUIT (it may close without waiting for the reply):
        # from here on the connection no longer counts as open for max-concurrent.
        if self.on_quit:
            self.on_quit()
            self.on_quit = None
        await self.reply(self.s.get("quit"))
        raise Closed()


def b64(text):
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return b""


def address(arg):
    """The address of "FROM:<a@b> SIZE=1" / "TO:<a@b>", without brackets."""
    m = re.search(r"<([^>]*)>", arg)
    if m:
        return m.group(1)
    return arg.partition(":")[2].split(" ")[0]


def load_script(args):
    script = {}
    if args.script:
        with open(args.script) as f:
            script = json.load(f)
    if args.script_json:
        script.update(json.loads(args.script_json))
    base_name = script.pop("profile", None) or args.profile or "generic-ok"
    if base_name not in smtp_profiles.PROFILES:
        raise SystemExit("unknown profile %r (see --list-profiles)" % base_name)
    merged = smtp_profiles.get("generic-ok")
    merged.update(smtp_profiles.get(base_name))
    merged.update(script)
    if args.fault:
        merged["fault"] = args.fault
    if args.delay_ms:
        merged["delay_ms"] = args.delay_ms
    if merged.get("fault") and merged["fault"] not in FAULTS:
        raise SystemExit("unknown fault %r; known: %s" % (merged["fault"], ", ".join(FAULTS)))
    return merged


async def serve_scripted(args, recorder, stop):
    script = load_script(args)
    ctx = server_context(args.cert, args.key, args.tls_max_version) if args.cert else None
    implicit = args.tls == "implicit"
    if implicit and not ctx:
        raise SystemExit("--tls implicit needs --cert and --key")

    # Connections open at once, and the most there ever were (the file "max-concurrent"), so
    # that a test can check the service's per-host cap from the server's side.
    open_now = {"count": 0, "max": 0}

    async def on_connect(reader, writer):
        open_now["count"] += 1
        if open_now["count"] > open_now["max"]:
            open_now["max"] = open_now["count"]
            if recorder.dir:
                with open(os.path.join(recorder.dir, "max-concurrent.tmp"), "w") as f:
                    f.write(str(open_now["max"]))
                os.replace(os.path.join(recorder.dir, "max-concurrent.tmp"),
                           os.path.join(recorder.dir, "max-concurrent"))
        session = ScriptedSession(script, reader, writer, recorder, ctx, implicit)
        left = {"done": False}

        def leave():
            if not left["done"]:
                left["done"] = True
                open_now["count"] -= 1

        session.on_quit = leave
        try:
            await session.run()
        finally:
            leave()

    # A fault in place of the handshake needs the raw connection.
    handshake = implicit and script.get("fault") not in TLS_FAULTS
    return await asyncio.start_server(on_connect, args.host, args.port,
                                      ssl=ctx if handshake else None, reuse_address=True)


async def serve_silent(args, recorder, stop):
    async def on_connect(reader, writer):
        try:
            while await reader.read(4096):
                pass
        except ConnectionError:
            pass
        writer.close()

    return await asyncio.start_server(on_connect, args.host, args.port, reuse_address=True)


# --- aiosmtpd mode --------------------------------------------------------------------------

async def serve_aiosmtpd(args, recorder, stop):
    import logging

    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

    # aiosmtpd warns about its own deprecated login_data on every AUTH; keep stderr readable.
    logging.getLogger("mail.log").setLevel(logging.ERROR)

    users = dict(u.split(":", 1) for u in args.users.split(",") if u) if args.users else {}
    fail_reply = None
    if args.auth_fail_reply:
        # A multi-line reply goes out as one string with CRLF between its lines.
        fail_reply = "\r\n".join(as_lines(args.auth_fail_reply))

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            tls = server.transport.get_extra_info("ssl_object") is not None
            recorder.save_message(envelope.mail_from, envelope.rcpt_tos,
                                  envelope.original_content or envelope.content or b"",
                                  session.auth_data if session.authenticated else None,
                                  tls or args.tls == "implicit", session.peer[0])
            return "250 2.0.0 OK: queued"

    def authenticator(server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword):
            login = auth_data.login.decode(errors="replace")
            if users.get(login) == auth_data.password.decode(errors="replace"):
                return AuthResult(success=True, auth_data=login)
        if fail_reply:
            return AuthResult(success=False, handled=False, message=fail_reply)
        return AuthResult(success=False, handled=False)

    ctx = None
    if args.tls != "none":
        if not args.cert:
            raise SystemExit("--tls %s needs --cert and --key" % args.tls)
        ctx = server_context(args.cert, args.key, args.tls_max_version)
    handler = Handler()

    def factory():
        return SMTP(handler, hostname=args.hostname, ident="ESMTP channel-verifier test peer",
                    tls_context=ctx if args.tls == "starttls" else None,
                    require_starttls=args.require_starttls and args.tls == "starttls",
                    authenticator=authenticator,
                    # aiosmtpd 1.4 does not count implicit TLS as TLS: requiring TLS for AUTH
                    # would hide AUTH on an implicit-TLS port.
                    auth_require_tls=args.tls == "starttls",
                    enable_SMTPUTF8=True)

    loop = asyncio.get_running_loop()
    return await loop.create_server(factory, args.host, args.port,
                                    ssl=ctx if args.tls == "implicit" else None,
                                    reuse_address=True)


# --- main -----------------------------------------------------------------------------------

def parse_args(argv):
    p = argparse.ArgumentParser(
        description=__doc__.split("\n")[0], epilog=__doc__.split("\n", 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", help="JSON file whose keys are option names (dest spelling)")
    p.add_argument("--mode", choices=["aiosmtpd", "scripted", "silent"])
    p.add_argument("--host", default="127.0.0.1", help="bind address")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--hostname", default="peer.t.test", help="aiosmtpd greeting host name")
    p.add_argument("--tls", choices=["none", "starttls", "implicit"], default="none")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--tls-max-version", choices=["1.0", "1.1", "1.2", "1.3"])
    p.add_argument("--require-starttls", action="store_true")
    p.add_argument("--users", default="", help="user:pass,... (aiosmtpd mode)")
    p.add_argument("--auth-fail-reply", help="exact reply to a failed AUTH (aiosmtpd mode)")
    p.add_argument("--maildir", help="directory for received messages and transcripts")
    p.add_argument("--profile", help="scripted-mode profile (see --list-profiles)")
    p.add_argument("--script", help="scripted-mode JSON script file")
    p.add_argument("--script-json", help="scripted-mode JSON script, inline")
    p.add_argument("--fault", help="scripted-mode fault: " + ", ".join(FAULTS))
    p.add_argument("--delay-ms", type=int, default=0, help="pause before every reply (scripted)")
    p.add_argument("--list-profiles", action="store_true")
    p.add_argument("--dump-profile", metavar="NAME", help="print a profile's script as JSON")
    args = p.parse_args(argv)
    if args.config:
        with open(args.config) as f:
            p.set_defaults(**json.load(f))
        args = p.parse_args(argv)
    if args.mode is None:
        args.mode = "scripted" if (args.profile or args.script or args.script_json
                                   or args.fault) else "aiosmtpd"
    return args


async def amain(args):
    recorder = Recorder(args.maildir)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    serve = {"aiosmtpd": serve_aiosmtpd, "scripted": serve_scripted,
             "silent": serve_silent}[args.mode]
    server = await serve(args, recorder, stop)
    print("READY %d" % server.sockets[0].getsockname()[1], flush=True)
    await stop.wait()
    server.close()


def main(argv=None):
    args = parse_args(argv)
    peer_util.die_with_parent()
    if args.list_profiles:
        width = max(map(len, smtp_profiles.PROFILES))
        for name, profile in smtp_profiles.PROFILES.items():
            print("%-*s  %s" % (width, name, profile.get("description", "")))
        return 0
    if args.dump_profile:
        print(json.dumps(smtp_profiles.get(args.dump_profile), indent=2))
        return 0
    try:
        asyncio.run(amain(args))
    except OSError as e:
        log("cannot listen on %s:%d: %s" % (args.host, args.port, e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
