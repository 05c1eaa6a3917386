#!/usr/bin/python3
"""Runs Postfix 3.7 with Dovecot 2.3 SASL on a loopback port, in the foreground.

A real production MTA for integration tests: STARTTLS with the test CA's certificate,
AUTH PLAIN/LOGIN through Dovecot, relay only for authenticated clients, and a sink domain
(sink.test) delivered to a Maildir the test can read; everything else is discarded.

Prints "READY <port>" once smtpd answers with its 220 greeting. SIGTERM stops both daemons.
Recipe and traps: docs/testing.md, "Postfix and Dovecot without a system" (chroot n everywhere,
postlog service, back-dated configs, smtpd_error_sleep_time=0, dovecot -F with its own
base_dir/instance_name).

Usage: postfix_peer.py --dir DIR --cert PEM --key PEM [--bind 127.0.0.1] [--port 0]
                       [--users user:pass,...] [--hostname mx.peer.test]
Files the test reads: DIR/sink/all/new/* (delivered mail), DIR/log/maillog, DIR/log/dovecot.log.
"""

import argparse
import grp
import os
import pwd
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_util  # noqa: E402

POSTFIX_LIBEXEC = "/usr/lib/postfix/sbin"

# Every service runs unchained ("n" in the chroot column): the private directory is not a
# chroot jail, and a chrooted smtpd could not reach the Dovecot socket or the certificates.
MASTER_CF = """\
{listen} inet n - n - - smtpd
pickup     unix n - n 60 1 pickup
cleanup    unix n - n - 0 cleanup
qmgr       unix n - n 300 1 qmgr
tlsmgr     unix - - n 1000? 1 tlsmgr
rewrite    unix - - n - - trivial-rewrite
bounce     unix - - n - 0 bounce
defer      unix - - n - 0 bounce
trace      unix - - n - 0 bounce
verify     unix - - n - 1 verify
flush      unix n - n 1000? 0 flush
proxymap   unix - - n - - proxymap
proxywrite unix - - n - 1 proxymap
smtp       unix - - n - - smtp
relay      unix - - n - - smtp
showq      unix n - n - - showq
error      unix - - n - - error
retry      unix - - n - - error
discard    unix - - n - - discard
local      unix - n n - - local
virtual    unix - n n - - virtual
anvil      unix - - n - 1 anvil
scache     unix - - n - 1 scache
postlog    unix-dgram n - n - 1 postlogd
"""

MAIN_CF = """\
compatibility_level = 3.6
mail_owner = postfix
setgid_group = postdrop
queue_directory = {dir}/queue
data_directory = {dir}/data
command_directory = /usr/sbin
daemon_directory = {libexec}
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
# The machine's own name is not fully qualified; Postfix refuses to start without one.
myhostname = {hostname}
mydomain = peer.test
myorigin = $myhostname
mydestination =
local_recipient_maps =
mynetworks = 127.0.0.0/8
inet_interfaces = {bind}
inet_protocols = {protocols}
# Logging to a file needs the path under a listed prefix and the postlog service, else
# Postfix exits 1 without a word.
maillog_file = {dir}/log/maillog
maillog_file_prefixes = {dir}/log
import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C
smtpd_banner = $myhostname ESMTP Postfix (channel-verifier test peer)
# Without these, every rejected command (a 535 included) costs seconds of sleep.
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 100
smtpd_hard_error_limit = 200
smtpd_junk_command_limit = 1000
anvil_rate_time_unit = 60s
smtpd_client_connection_rate_limit = 0
smtpd_client_auth_rate_limit = 0
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
smtpd_tls_cert_file = {cert}
smtpd_tls_key_file = {key}
smtpd_tls_loglevel = 1
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = {dir}/auth-postfix
smtpd_sasl_authenticated_header = no
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions = permit_sasl_authenticated, reject
# The sink: sink.test goes to one Maildir, everything else is accepted and thrown away.
virtual_mailbox_domains = sink.test
virtual_mailbox_base = {dir}/sink
virtual_mailbox_maps = static:all/
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
default_transport = discard:
relay_transport = discard:
local_transport = discard:
disable_dns_lookups = yes
smtp_dns_support_level = disabled
alias_maps =
alias_database =
biff = no
"""

DOVECOT_CONF = """\
base_dir = {dir}/dovecot/run
state_dir = {dir}/dovecot/state
instance_name = {instance}
# Auth only. An empty "listen =" is fatal, so listen stays unset; no protocol means no port.
protocols =
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
log_path = {dir}/log/dovecot.log
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {dir}/dovecot/users
}}
userdb {{
  driver = static
  args = uid=65534 gid=65534 home=/nonexistent
}}
# Failed logins from one IP otherwise add anvil's exponential "auth penalty" (2 s, 4 s, ...)
# on top of auth_failure_delay, and every test client comes from loopback. A socket nobody
# may open switches the penalty off.
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service auth {{
  unix_listener {dir}/auth-postfix {{
    mode = 0666
  }}
}}
"""


def free_port(bind, family):
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((bind, 0))
        return s.getsockname()[1]


def greeting_ok(bind, port, family):
    try:
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.settimeout(0.5)
            s.connect((bind, port))
            data = s.recv(512)
            s.sendall(b"QUIT\r\n")
            return data.startswith(b"220 ")
    except OSError:
        return False


def write(path, text, mode=0o644):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


class Peer:
    def __init__(self, args):
        self.args = args
        self.dir = os.path.abspath(args.dir or tempfile.mkdtemp(prefix="cv-postfix-"))
        self.family = socket.AF_INET6 if ":" in args.bind else socket.AF_INET
        self.master = None
        self.dovecot = None

    def setup(self):
        d = self.dir
        # Dovecot's auth process (user dovecot) reads the passwd-file, and smtpd (user postfix)
        # connects to the socket: both need to traverse the whole path.
        os.chmod(d, 0o755)
        for sub in ("etc", "queue", "data", "log", "dovecot", "dovecot/run", "dovecot/state",
                    "sink"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        postfix = pwd.getpwnam("postfix")
        nobody = pwd.getpwnam("nobody")
        os.chown(os.path.join(d, "data"), postfix.pw_uid, postfix.pw_gid)
        os.chown(os.path.join(d, "sink"), nobody.pw_uid, nobody.pw_gid)
        # A failed login still answers after ~0.5 s: Dovecot 2.3 flushes its failure queue on
        # a 0.5 s timer even with auth_failure_delay = 0 (a passwd-file "nodelay" field does
        # not help; failed lookups drop their extra fields).
        users = "".join("%s:{PLAIN}%s\n" % tuple(u.split(":", 1))
                        for u in self.args.users.split(",") if u)
        write(os.path.join(d, "dovecot/users"), users)
        write(os.path.join(d, "dovecot/dovecot.conf"), DOVECOT_CONF.format(
            dir=d, instance="cv-peer-%d-%d" % (os.getpid(), int(time.time() * 1000))))

    def write_postfix_config(self, port):
        d = self.dir
        host = "[%s]" % self.args.bind if self.family == socket.AF_INET6 else self.args.bind
        write(os.path.join(d, "etc/main.cf"), MAIN_CF.format(
            dir=d, libexec=POSTFIX_LIBEXEC, hostname=self.args.hostname, bind=self.args.bind,
            protocols="ipv6" if self.family == socket.AF_INET6 else "ipv4",
            cert=os.path.abspath(self.args.cert), key=os.path.abspath(self.args.key)))
        write(os.path.join(d, "etc/master.cf"),
              MASTER_CF.format(listen="%s:%d" % (host, port)))
        # A config younger than a few seconds makes master wait for it to "settle".
        past = time.time() - 10
        for f in ("main.cf", "master.cf"):
            os.utime(os.path.join(d, "etc", f), (past, past))

    def start_dovecot(self):
        conf = os.path.join(self.dir, "dovecot/dovecot.conf")
        # -F keeps it a child of ours (this sandbox reaps orphans late); it would otherwise
        # also hold our stdout open, so it gets the log file instead.
        log = open(os.path.join(self.dir, "log/dovecot.stderr"), "ab")
        self.dovecot = subprocess.Popen(["dovecot", "-F", "-c", conf], stdin=subprocess.DEVNULL,
                                        preexec_fn=peer_util.die_with_parent,
                                        stdout=log, stderr=log)
        sock = os.path.join(self.dir, "auth-postfix")
        deadline = time.monotonic() + 10
        while not os.path.exists(sock):
            if self.dovecot.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("dovecot did not start; see %s/log" % self.dir)
            time.sleep(0.01)

    def start_postfix(self):
        etc = os.path.join(self.dir, "etc")
        for attempt in range(5):
            port = self.args.port or free_port(self.args.bind, self.family)
            self.write_postfix_config(port)
            if attempt == 0:
                self.make_queue()
            log = open(os.path.join(self.dir, "log/master.stderr"), "ab")
            self.master = subprocess.Popen(
                [os.path.join(POSTFIX_LIBEXEC, "master"), "-c", etc, "-d"],
                stdin=subprocess.DEVNULL, preexec_fn=peer_util.die_with_parent,
                stdout=log, stderr=log)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if self.master.poll() is not None:
                    break
                if greeting_ok(self.args.bind, port, self.family):
                    return port
                time.sleep(0.02)
            self.stop_master()
            if self.args.port:
                break  # a fixed port that fails will not get better
        raise RuntimeError("postfix did not start; see %s/log and 'postfix -c %s check'"
                           % (self.dir, etc))

    def make_queue(self):
        # master -d does not create the queue directories. "postfix check" would, but takes
        # ~2 s; these are the owners and modes from Postfix's postfix-files.
        queue = os.path.join(self.dir, "queue")
        postfix = pwd.getpwnam("postfix").pw_uid
        postdrop = grp.getgrnam("postdrop").gr_gid
        for name, uid, gid, mode in (
                [(n, postfix, 0, 0o700) for n in (
                    "active", "bounce", "corrupt", "defer", "deferred", "flush", "hold",
                    "incoming", "private", "saved", "trace")]
                + [("maildrop", postfix, postdrop, 0o730), ("public", postfix, postdrop, 0o710),
                   ("pid", 0, 0, 0o755)]):
            path = os.path.join(queue, name)
            os.makedirs(path, exist_ok=True)
            os.chown(path, uid, gid)
            os.chmod(path, mode)

    def stop_master(self):
        if self.master and self.master.poll() is None:
            self.master.terminate()
            try:
                self.master.wait(5)
            except subprocess.TimeoutExpired:
                self.master.kill()
                self.master.wait()

    def stop(self):
        self.stop_master()
        if self.dovecot and self.dovecot.poll() is None:
            self.dovecot.terminate()
            try:
                self.dovecot.wait(5)
            except subprocess.TimeoutExpired:
                self.dovecot.kill()
                self.dovecot.wait()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dir", help="private directory (default: a new temp dir)")
    p.add_argument("--bind", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--users", default="user@sink.test:secret")
    p.add_argument("--hostname", default="mx.peer.test")
    args = p.parse_args()
    peer_util.die_with_parent()

    peer = Peer(args)
    stopping = []

    def on_signal(signum, frame):
        stopping.append(signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        peer.setup()
        peer.start_dovecot()
        port = peer.start_postfix()
        print("READY %d" % port, flush=True)
        while not stopping:
            if peer.master.poll() is not None or peer.dovecot.poll() is not None:
                print("postfix_peer: a daemon exited; see %s/log" % peer.dir, file=sys.stderr)
                return 1
            time.sleep(0.05)
        return 0
    except RuntimeError as e:
        print("postfix_peer: %s" % e, file=sys.stderr)
        return 1
    finally:
        peer.stop()


if __name__ == "__main__":
    sys.exit(main())
