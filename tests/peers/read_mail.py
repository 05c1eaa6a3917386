#!/usr/bin/python3
"""Reads what a test peer received with independent parsers, for the SendTest tests.

Usage: read_mail.py mime|gmail|graph FILE

  mime   FILE is an RFC 5322 message: read by the email package (policy=default, the strict
         modern parser).
  gmail  FILE is a Gmail users.messages.send body: strict JSON with one key, "raw", in the
         base64url alphabet; the decoded message is read as with mime.
  graph  FILE is a Microsoft Graph sendMail body: strict JSON (no NaN, no duplicate keys),
         read field by field.

Prints one KEY=VALUE line per field, VALUE base64-encoded so nothing is lost on the way.
"""
import base64
import email
import email.policy
import email.utils
import json
import re
import sys


def out(key, value):
    print(key + "=" + base64.b64encode(str(value).encode("utf-8")).decode())


def strict_json(data):
    def no_duplicates(pairs):
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            raise ValueError("duplicate key")
        return dict(pairs)

    def no_constants(name):
        raise ValueError("not JSON: " + name)

    return json.loads(data.decode("utf-8"), object_pairs_hook=no_duplicates,
                      parse_constant=no_constants)


def read_mime(raw):
    m = email.message_from_bytes(raw, policy=email.policy.default)
    for h in ("Subject", "From", "To", "Message-ID", "X-Channel-Verifier-Test", "Date",
              "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "Auto-Submitted"):
        out(h, m.get(h, ""))
    out("content_type", m.get_content_type())
    out("charset", m.get_content_charset())
    # Line ends as the transport left them (CRLF from aiosmtpd, LF from a maildir): compare text.
    out("body", m.get_content().replace("\r\n", "\n"))
    out("date_ok", email.utils.parsedate_to_datetime(m["Date"]) is not None)
    out("defects", len(m.defects) + sum(len(v.defects) for v in m.values()))


def read_gmail(data):
    body = strict_json(data)
    out("keys", ",".join(sorted(body)))
    raw64 = body["raw"]
    out("alphabet_ok", re.fullmatch(r"[A-Za-z0-9_-]+=*", raw64) is not None)
    raw = base64.urlsafe_b64decode(raw64 + "=" * (-len(raw64) % 4))
    out("raw", raw.decode("ascii"))
    read_mime(raw)


def read_graph(data):
    body = strict_json(data)
    out("keys", ",".join(sorted(body)))
    out("save", json.dumps(body["saveToSentItems"]))
    m = body["message"]
    out("message_keys", ",".join(sorted(m)))
    out("subject", m["subject"])
    out("content_type", m["body"]["contentType"])
    out("content", m["body"]["content"])
    recipients = m["toRecipients"]
    out("recipients", ";".join(r["emailAddress"]["address"] for r in recipients))
    out("recipient_keys", ";".join(",".join(sorted(r)) + "/" + ",".join(sorted(r["emailAddress"]))
                                   for r in recipients))
    out("internet_message_id", m["internetMessageId"])
    headers = m["internetMessageHeaders"]
    out("headers", ";".join(h["name"] + "=" + h["value"] for h in headers))
    out("header_keys", ";".join(",".join(sorted(h)) for h in headers))


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("mime", "gmail", "graph"):
        sys.exit(__doc__)
    with open(sys.argv[2], "rb") as f:
        data = f.read()
    {"mime": read_mime, "gmail": read_gmail, "graph": read_graph}[sys.argv[1]](data)


if __name__ == "__main__":
    main()
