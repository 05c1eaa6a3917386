#!/usr/bin/python3
"""Writes the hand-made seed inputs of the fuzz targets into corpus/<target>/seed-*.

Run it again after changing a target's input layout (see the target's LLVMFuzzerTestOneInput).
Inputs found by fuzzing live beside the seeds as crash-* / found-* and are never rewritten.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
SEP = b"\xff"  # FuzzInput::Field separator

REPLIES = [
    b"220 smtp.gmail.com ESMTP x1-20020a05600c.. - gsmtp\r\n",
    b"220 mx.t.test Microsoft ESMTP MAIL Service ready at Tue, 12 Sep 2023 20:59:57 +0000\r\n",
    b"250-MN2PR05CA0004.outlook.office365.com Hello [3.121.59.239]\r\n250-SIZE 157286400\r\n"
    b"250-PIPELINING\r\n250-DSN\r\n250-ENHANCEDSTATUSCODES\r\n250-STARTTLS\r\n250-8BITMIME\r\n"
    b"250-BINARYMIME\r\n250-CHUNKING\r\n250 SMTPUTF8\r\n",
    b"250-smtp.t.test\r\n250-AUTH PLAIN LOGIN XOAUTH2\r\n250-AUTH=PLAIN LOGIN\r\n250 SIZE 0\r\n",
    b"535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
    b"Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. "
    b"[MN2PR05CA0004.namprd05.prod.outlook.com 2023-09-12T20:59:57.214Z 08DBB276B7E699C4]\r\n",
    b"535 5.7.139 Authentication unsuccessful, user is locked by your organization's security "
    b"defaults policy. Contact your administrator.\r\n",
    b"535 5.7.3 Authentication unsuccessful\r\n",
    b"534-5.7.9 Application-specific password required. Learn more at\r\n"
    b"534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor x1 - gsmtp\r\n",
    b"535-5.7.8 Username and Password not accepted. For more information, go to\r\n"
    b"535 5.7.8  https://support.google.com/mail/?p=BadCredentials x1 - gsmtp\r\n",
    b"530 5.7.0 Must issue a STARTTLS command first. x1 - gsmtp\r\n",
    b"530 5.7.57 Client not authenticated to send mail. [DM6PR1]\r\n",
    b"554 5.7.1 <jobs@t.test>: Relay access denied\n",
    b"421 4.7.0 Try again later, closing connection. (EHLO) x1 - gsmtp\r\n",
    b"334 eyJzdGF0dXMiOiI0MDAiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==\r\n",
    b"334 VXNlcm5hbWU6\r\n",
    b"235 2.7.0 Authentication successful\r\n",
    b"554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied\r\n",
    b"550 5.7.60 SMTP; Client does not have permissions to send as this sender\r\n",
    b"250\r\n250 \r\n",
    b"250-a\r\n251 b\r\n",           # code mismatch
    b"HTTP/1.1 400 Bad Request\r\n",  # another protocol
    b"\x16\x03\x01\x00\xa5\x01\x00",  # a TLS record
    b"220 greeting\rwith a bare CR\r\n",
    b"220 " + b"x" * 5000 + b"\r\n",   # line too long
    b"250-x\r\n" * 200 + b"250 end\r\n",  # too many lines
    b"220 caf\xc3\xa9 \xe2\x80\xae reversed \x00 nul\r\n",
]


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def smtp_reply():
    for i, reply in enumerate(REPLIES):
        # mode (even: default limits), xorshift seed, secret field, then the wire bytes.
        write("smtp_reply", "%02d" % i, b"\x00" + struct.pack("<I", 7 + i) + SEP + reply)
        # Small limits: max_line_bytes, max_lines, max_reply_bytes.
        write("smtp_reply", "%02d-small" % i,
              b"\x01" + bytes([40, 3]) + struct.pack("<H", 200) + struct.pack("<I", i) + SEP + reply)
    # A server that echoes the password, plain and in base64.
    write("smtp_reply", "echo-secret",
          b"\x00\x01\x00\x00\x00hunter22" + SEP + b"535 5.7.8 bad hunter22 aHVudGVyMjI=\r\n")


def classifier():
    for i, reply in enumerate(REPLIES):
        stage = i % 10
        provider = i % 4
        # stage, provider, google host, username given, raw (0: parsed), then the wire bytes.
        write("classifier", "%02d" % i, bytes([stage, provider, i & 1, 1, 0]) + reply)
    for stage in range(10):
        for provider in range(3):
            write("classifier", "auth-%d-%d" % (stage, provider),
                  bytes([stage, provider, 0, 1, 0]) + REPLIES[4])
    # A hand-built reply: code, enhanced, number of lines, lines; then an observation.
    write("classifier", "raw",
          bytes([3, 2, 0, 1, 1]) + struct.pack("<H", 535) + b"5.7.139" + SEP + b"\x02"
          + b"Authentication unsuccessful" + SEP + b"SmtpClientAuthentication is disabled"
          + SEP + b"\x05" + b"evidence")
    write("classifier", "raw-empty", bytes([0, 0, 0, 0, 1]) + b"\x00\x00" + SEP + b"\x00")


def egress():
    cases = [
        (bytes([127, 0, 0, 1]), 25), (bytes([10, 1, 2, 3]), 587), (bytes([169, 254, 169, 254]), 80),
        (bytes([100, 64, 0, 1]), 465), (bytes([8, 8, 8, 8]), 587), (bytes([192, 0, 2, 1]), 25),
        (bytes([255, 255, 255, 255]), 25), (bytes([224, 0, 0, 1]), 443), (bytes([0, 0, 0, 0]), 0),
    ]
    v6 = [
        bytes(15) + b"\x01",                                    # ::1
        bytes(10) + b"\xff\xff" + bytes([10, 0, 0, 1]),         # ::ffff:10.0.0.1
        bytes(10) + b"\xff\xff" + bytes([8, 8, 8, 8]),          # ::ffff:8.8.8.8
        b"\x00\x64\xff\x9b" + bytes(8) + bytes([192, 168, 0, 1]),  # NAT64
        b"\x20\x02" + bytes([10, 0, 0, 1]) + bytes(10),         # 6to4
        b"\x20\x01\x00\x00" + bytes(12),                        # Teredo
        b"\xfe\x80" + bytes(13) + b"\x01",                      # link-local
        b"\x20\x01\x48\x60" + bytes(11) + b"\x88",              # public
        b"\xfc\x00" + bytes(14),                                # unique local
    ]
    texts = [
        (b"127.0.0.0/8", b"127.0.0.0/8,::1/128", b"25,465,587,2525"),
        (b"::ffff:10.0.0.0/104", b"10.0.0.0/8, 192.168.0.0/16", b"443"),
        (b"fe80::1%eth0", b"1.2.3.4/33", b"0,65536"),
        (b"10.1.2.3", b",", b" 25 , 25 ,587"),
        (b"2001:db8::/32", b"", b"99999999999"),
        (b"0.0.0.0/0", b"::/0", b"1,65535"),
    ]
    n = 0
    for addr, port in cases:
        for t in texts[: 2]:
            write("egress", "v4-%02d" % n,
                  b"\x01" + addr + struct.pack("<H", port) + b"\x01" + SEP.join(t))
            n += 1
    for addr in v6:
        for t in texts:
            write("egress", "v6-%02d" % n,
                  b"\x00" + addr + struct.pack("<H", 587) + b"\x00" + SEP.join(t))
            n += 1


def mime():
    texts = [
        b"Hello\r\n.\r\n..dots\n.\rbare CR\rend",
        b"From here\n trailing space \nTab\t\n" + b"x" * 200 + b"\n=\xc3\xa4\xe2\x80\x93",
        "Testnachricht – Ihre E-Mail-Verbindung funktioniert".encode(),
        b".",
        b"",
        b"\r\n\r\n.\r\n",
        b"\xf0\x9f\x98\x80" * 40,
        b"a " * 60 + b"\r\nX-Injected: yes",
    ]
    for i, t in enumerate(texts):
        write("mime", "text-%02d" % i, b"\x00" + bytes([9 + i * 10]) + t)
    params = [
        (0, 1732586224, b"jobs@t.test", b"me@example.org", b"abc123", b"cv-01", b"smtp.t.test:587 (STARTTLS)"),
        (1, 1732586224, "jöbs@bücher.test".encode(), b"x@y", b"z9", b"id", "über\nmehrere\r\nZeilen".encode()),
        (0, 0, b"", b"", b"", b"", b""),
        (1, -1, b"no-at-sign", b"a@b", b"Q!", b"\x00\r\n", b".\r\n.\r\n"),
        (0, 2**62, b"a@" + b"d" * 300, b"b@" + b"e" * 300, b"u" * 64, b"c" * 128, b"=" * 500),
    ]
    for i, (lang, date, frm, to, uniq, corr, chan) in enumerate(params):
        data = bytes([1, 0, lang]) + struct.pack("<q", date) + SEP.join([frm, to, uniq, corr, chan])
        write("mime", "message-%02d" % i, data)


def redactor():
    # form byte (see redactor_fuzz.cc), secret, before, after, decoy, prefix, suffix
    cases = [
        (1, b"Hunter2-secret!", b"\x00alice@example.com\x00", b"", b"", b"535 5.7.8 rejected: ", b"\r\n"),
        (1, b"Hunter2-secret!", b"\x00bob@example.com\x00", b"", b"", b"535 ", b""),
        (1, b"Hunter2-secret!", b"\x00al@example.com\x00", b"", b"", b"535 ", b""),
        (2, b"ya29.a0AfH6SMB-token", b"user=jobs@t.test\x01auth=Bearer ", b"\x01\x01", b"", b"334 ", b""),
        (0, b"Hunter2-secret!", b"\r", b"\x00", b"", b"535 bad password", b" rejected"),
        (3, b"1//0g-refresh/token+x", b"", b"", b"gsecret", b"refresh_token=", b"&client_id=x"),
        (3 | 0x10, b"1//0g-refresh/token+x", b"", b"", b"", b"GET /?t=", b" HTTP/1.1"),
        (4, b"1//0g-refresh/token\"x", b"", b"", b"", b'{"error":"invalid_grant","t":"', b'"}'),
        (4 | 0x10, b"p\xc3\xa4ssw\xc3\xb6rd", b"", b"", b"", b'{"d":"', b'"}'),
        (5, b"Hunter2-secret!", b"\x00u\x00", b"", b"", b"x=", b""),
        (6, b"Hunter2-secret!", b"ab", b"c", b"", b'{"blob":"', b'"}'),
        (7, b"abcd", b"xx", b"yy", b"abc", b"", b""),
        (8, b"pa ss/w%rd", b"", b"", b"", b"echo ", b""),
        (0, b"abc", b"", b"", b"", b"short secrets only plain abc", b""),
    ]
    for i, (form, secret, before, after, decoy, prefix, suffix) in enumerate(cases):
        data = bytes([form]) + SEP.join([secret, before, after, decoy, prefix]) + SEP + suffix
        write("redactor", "%02d" % i, data)


if __name__ == "__main__":
    smtp_reply()
    classifier()
    egress()
    mime()
    redactor()
