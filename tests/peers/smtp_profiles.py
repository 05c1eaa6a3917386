"""Scripted SMTP server profiles: what Microsoft 365, Gmail and generic MTAs really answer.

Each profile is a script for smtp_peer.py's scripted mode (keys documented in smtp_peer.py).
The replies are the ones service/diagnosis/rules.cc classifies (docs/diagnosis-sources.md); a
test picks one by name (--profile m365-smtp-auth-disabled-tenant) and the classifier must name
the matching cause.

Placeholders filled in per reply: {host} (the script's hostname), {peer} (client IP), {date}
(RFC 5322 date), {ms} (a Microsoft trailer with the current time), {gid} (a Google session
id), {addr} (the address of MAIL FROM / RCPT TO), {size} (BDAT chunk size).
"""

import copy

# --- Microsoft 365 / Exchange Online (smtp.office365.com) -------------------------------------

MS_HOST = "MN2PR05CA0004.outlook.office365.com"
MS_CAPS = ["SIZE 157286400", "PIPELINING", "DSN", "ENHANCEDSTATUSCODES"]
MS_CAPS_TAIL = ["8BITMIME", "BINARYMIME", "CHUNKING", "SMTPUTF8"]


def _ehlo(greeting_line, caps):
    lines = [greeting_line] + caps
    return ["250-" + line for line in lines[:-1]] + ["250 " + lines[-1]]


M365_BASE = {
    "description": "Microsoft 365 submission (smtp.office365.com:587), AUTH succeeds",
    "hostname": MS_HOST,
    "greeting": "220 {host} Microsoft ESMTP MAIL Service ready at {date}",
    # Microsoft advertises STARTTLS before TLS and AUTH only after it.
    "ehlo": _ehlo("{host} Hello [{peer}]", MS_CAPS + ["STARTTLS"] + MS_CAPS_TAIL),
    "ehlo_tls": _ehlo("{host} Hello [{peer}]", MS_CAPS + ["AUTH LOGIN XOAUTH2"] + MS_CAPS_TAIL),
    "helo": "250 {host} Hello [{peer}]",
    "starttls": "220 2.0.0 SMTP server ready",
    "auth": "235 2.7.0 Authentication successful",
    "auth_unknown_mech": "504 5.7.4 Unrecognized authentication type {ms}",
    "auth_again": "503 5.5.2 Send hello first {ms}",
    "auth_cancelled": "501 5.7.0 Authentication aborted {ms}",
    "mail_unauthenticated": "530 5.7.57 Client not authenticated to send mail. {ms}",
    "mail": "250 2.1.0 Sender OK",
    "rcpt": "250 2.1.5 Recipient OK",
    "data": "354 Start mail input; end with <CRLF>.<CRLF>",
    "data_end": "250 2.0.0 OK <20230912205957.0004@{host}> [Hostname={host}]",
    "need_hello": "503 5.5.2 Send hello first {ms}",
    "need_mail": "503 5.5.2 Need mail command {ms}",
    "need_rcpt": "503 5.5.2 Need rcpt command {ms}",
    "rset": "250 2.0.0 Resetting",
    "noop": "250 2.0.0 OK",
    "quit": "221 2.0.0 Service closing transmission channel",
    "unknown": "500 5.3.3 Unrecognized command {ms}",
    "greeting_554": "554 5.7.1 Service unavailable; Client host [{peer}] blocked {ms}",
}


def _m365(description, **overrides):
    p = copy.deepcopy(M365_BASE)
    p.update(overrides, description=description)
    return p


def _m365_auth(description, reply):
    # Any mechanism gets the same refusal, as Exchange Online does for LOGIN and XOAUTH2 alike.
    return _m365(description, auth=reply)


# --- Google (smtp.gmail.com) -----------------------------------------------------------------

GMAIL_BASE = {
    "description": "Gmail submission (smtp.gmail.com:587), AUTH succeeds",
    "hostname": "smtp.gmail.com",
    "greeting": "220 {host} ESMTP {gid} - gsmtp",
    "ehlo": _ehlo("{host} at your service, [{peer}]",
                  ["SIZE 35882577", "8BITMIME", "STARTTLS", "ENHANCEDSTATUSCODES", "PIPELINING",
                   "CHUNKING", "SMTPUTF8"]),
    "ehlo_tls": _ehlo("{host} at your service, [{peer}]",
                      ["SIZE 35882577", "8BITMIME",
                       "AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH",
                       "ENHANCEDSTATUSCODES", "PIPELINING", "CHUNKING", "SMTPUTF8"]),
    "helo": "250 {host} at your service",
    "starttls": "220 2.0.0 Ready to start TLS",
    # Gmail refuses AUTH and MAIL in plaintext with this reply.
    "tls_required": "530 5.7.0 Must issue a STARTTLS command first. {gid} - gsmtp",
    "auth": "235 2.7.0 Accepted",
    "auth_unknown_mech": "504 5.7.4 Unrecognized authentication type. {gid} - gsmtp",
    "auth_again": "503 5.5.1 Already authenticated. {gid} - gsmtp",
    "auth_cancelled": "501 5.5.2 Cannot Decode response {gid} - gsmtp",
    "mail_unauthenticated": [
        "530-5.7.0 Authentication Required. For more information, go to",
        "530 5.7.0  https://support.google.com/mail/?p=WantAuthError {gid} - gsmtp"],
    "mail": "250 2.1.0 OK {gid} - gsmtp",
    "rcpt": "250 2.1.5 OK {gid} - gsmtp",
    "data": "354 Go ahead {gid} - gsmtp",
    "data_end": "250 2.0.0 OK  1694552397 {gid} - gsmtp",
    "need_hello": "503 5.5.1 EHLO/HELO first. {gid} - gsmtp",
    "need_mail": "503 5.5.1 MAIL first. {gid} - gsmtp",
    "need_rcpt": "503 5.5.1 RCPT first. {gid} - gsmtp",
    "rset": "250 2.1.5 Flushed {gid} - gsmtp",
    "noop": "250 2.0.0 OK {gid} - gsmtp",
    "quit": "221 2.0.0 closing connection {gid} - gsmtp",
    "unknown": [
        "502-5.5.1 Unrecognized command. For more information, go to",
        "502 5.5.1  https://support.google.com/a/answer/3221692 {gid} - gsmtp"],
    "greeting_554": "554 5.7.0 Too many unauthenticated commands {gid} - gsmtp",
}

GMAIL_BAD_CREDENTIALS = [
    "535-5.7.8 Username and Password not accepted. For more information, go to",
    "535 5.7.8  https://support.google.com/mail/?p=BadCredentials {gid} - gsmtp"]

# What Google sends after a bad XOAUTH2 token: a 334 whose base64 JSON names the scheme and
# scope, then (after the client's empty line) the 535.
GMAIL_XOAUTH2_CHALLENGE = {
    "status": "400", "schemes": "Bearer", "scope": "https://mail.google.com/"}


def _gmail(description, **overrides):
    p = copy.deepcopy(GMAIL_BASE)
    p.update(overrides, description=description)
    return p


def _gmail_relay(description, **overrides):
    p = _gmail(description, hostname="smtp-relay.gmail.com")
    p.update(overrides)
    return p


# --- Generic MTAs ------------------------------------------------------------------------------

GENERIC_BASE = {
    "description": "Postfix-like MTA with STARTTLS and AUTH PLAIN LOGIN, AUTH succeeds",
    "hostname": "mail.example.test",
    "greeting": "220 {host} ESMTP Postfix (Debian/GNU)",
    "ehlo": _ehlo("{host}", ["PIPELINING", "SIZE 10240000", "ETRN", "STARTTLS",
                             "ENHANCEDSTATUSCODES", "8BITMIME", "DSN", "SMTPUTF8", "CHUNKING"]),
    "ehlo_tls": _ehlo("{host}", ["PIPELINING", "SIZE 10240000", "ETRN", "AUTH PLAIN LOGIN",
                                 "ENHANCEDSTATUSCODES", "8BITMIME", "DSN", "SMTPUTF8",
                                 "CHUNKING"]),
    "helo": "250 {host}",
    "starttls": "220 2.0.0 Ready to start TLS",
    "auth": "235 2.7.0 Authentication successful",
    "auth_unknown_mech": "535 5.7.8 Error: authentication failed: Invalid authentication "
                         "mechanism",
    "auth_again": "503 5.5.1 Error: already authenticated",
    "auth_cancelled": "501 5.7.0 Authentication aborted",
    "mail": "250 2.1.0 Ok",
    "rcpt": "250 2.1.5 Ok",
    "data": "354 End data with <CR><LF>.<CR><LF>",
    "data_end": "250 2.0.0 Ok: queued as 4RlTqP1Zbnz9sWd",
    "need_hello": "503 5.5.1 Error: send HELO/EHLO first",
    "need_mail": "503 5.5.1 Error: need MAIL command",
    "need_rcpt": "554 5.5.1 Error: no valid recipients",
    "rset": "250 2.0.0 Ok",
    "noop": "250 2.0.0 Ok",
    "quit": "221 2.0.0 Bye",
    "unknown": "502 5.5.2 Error: command not recognized",
    "greeting_554": "554 {host} ESMTP not accepting connections",
}

EXIM_BASE = {
    "hostname": "mail.example.test",
    "greeting": "220 {host} ESMTP Exim 4.96 {date}",
    "ehlo": _ehlo("{host} Hello [{peer}]", ["SIZE 52428800", "8BITMIME", "PIPELINING",
                                            "PIPE_CONNECT", "STARTTLS", "HELP"]),
    "ehlo_tls": _ehlo("{host} Hello [{peer}]", ["SIZE 52428800", "8BITMIME", "PIPELINING",
                                                "PIPE_CONNECT", "AUTH PLAIN LOGIN", "HELP"]),
    "auth_unknown_mech": "504 AUTH mechanism not supported",
    "mail": "250 OK",
    "rcpt": "250 Accepted",
    "data": "354 Enter message, ending with \".\" on a line by itself",
    "data_end": "250 OK id=1qgAbC-0001Xy-2Z",
    "quit": "221 {host} closing connection",
    "unknown": "500 unrecognized command",
}


def _generic(description, **overrides):
    p = copy.deepcopy(GENERIC_BASE)
    p.update(overrides, description=description)
    return p


def _exim(description, **overrides):
    p = copy.deepcopy(GENERIC_BASE)
    p.update(copy.deepcopy(EXIM_BASE))
    p.update(overrides, description=description)
    return p


PROFILES = {
    # Microsoft 365.
    "m365-ok": _m365(M365_BASE["description"]),
    "m365-smtp-auth-disabled-tenant": _m365_auth(
        "SMTP AUTH disabled for the tenant (M365_SMTP_AUTH_DISABLED)",
        "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
        "Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. {ms}"),
    "m365-smtp-auth-disabled-mailbox": _m365_auth(
        "SMTP AUTH disabled for the mailbox (M365_SMTP_AUTH_DISABLED)",
        "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
        "Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information. {ms}"),
    "m365-security-defaults": _m365_auth(
        "Entra security defaults block SMTP AUTH (ENTRA_SECURITY_DEFAULTS)",
        "535 5.7.139 Authentication unsuccessful, user is locked by your organization's "
        "security defaults policy. Contact your administrator. {ms}"),
    "m365-basic-auth-disabled": _m365_auth(
        "Basic authentication disabled (PROVIDER_SMTP_RETIRING)",
        "535 5.7.139 Authentication unsuccessful, basic authentication is disabled. {ms}"),
    "m365-basic-auth-not-supported": _m365_auth(
        "Basic auth not supported for client submission (PROVIDER_SMTP_RETIRING)",
        "550 5.7.30 Basic authentication is not supported for Client Submission. {ms}"),
    "m365-conditional-access": _m365_auth(
        "Conditional access / MFA refused the sign-in (MFA_OR_CONDITIONAL_ACCESS)",
        "535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be "
        "authenticated successfully. Contact your administrator. {ms}"),
    "m365-bad-credentials": _m365_auth(
        "Wrong user name or password (INVALID_CREDENTIALS)",
        "535 5.7.139 Authentication unsuccessful, the user credentials were incorrect. {ms}"),
    "m365-account-locked": _m365_auth(
        "Account locked (ACCOUNT_LOCKED)",
        "535 5.7.139 Authentication unsuccessful, account locked. Contact your administrator. "
        "{ms}"),
    "m365-auth-unsuccessful": _m365_auth(
        "Ambiguous 5.7.3, also Microsoft's answer to a bad XOAUTH2 token (INVALID_CREDENTIALS)",
        "535 5.7.3 Authentication unsuccessful {ms}"),
    "m365-client-not-authenticated": _m365(
        "MAIL FROM without AUTH (AUTH_REQUIRED); AUTH itself is refused with 5.7.3",
        auth="535 5.7.3 Authentication unsuccessful {ms}"),
    "m365-anonymous-mail-from": _m365(
        "MAIL FROM without AUTH, older wording (AUTH_REQUIRED)",
        mail_unauthenticated="530 5.7.57 SMTP; Client was not authenticated to send anonymous "
                             "mail during MAIL FROM {ms}"),
    "m365-send-as-denied": _m365(
        "MAIL FROM an address the account may not send as (SEND_AS_DENIED)",
        mail="550 5.7.60 SMTP; Client does not have permissions to send as this sender {ms}"),
    "m365-send-as-denied-storedrv": _m365(
        "Send-as refused after DATA, STOREDRV 5.2.0 (SEND_AS_DENIED)",
        data_end="554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException."
                 "MapiExceptionSendAsDenied; Failed to process message due to a permanent "
                 "exception with message Cannot submit message. 0.35250:0A00C387, "
                 "1.36674:0A000000, 1.61250:00000000 [Hostname={host}]"),
    "m365-send-as-denied-5252": _m365(
        "Send-as refused after DATA, 5.2.252 (SEND_AS_DENIED)",
        data_end="554 5.2.252 SendAsDenied; sender@contoso.test not allowed to send as "
                 "{addr}; STOREDRV.Submission.Exception:SendAsDeniedException."
                 "MapiExceptionSendAsDenied; Failed to process message due to a permanent "
                 "exception with message [BeginDiagnosticData]Cannot submit message. "
                 "[Hostname={host}]"),
    "m365-banned-ip": _m365(
        "Sending IP banned (IP_NOT_ALLOWLISTED)",
        rcpt="550 5.7.606 Access denied, banned sending IP [{peer}]. To request removal from "
             "this list please visit https://sender.office.com/ and follow the directions. "
             "For more information please go to http://go.microsoft.com/fwlink/?LinkID=526655 "
             "AS(1430) {ms}"),
    "m365-ip-not-accepted": _m365(
        "Traffic from this IP not accepted (IP_NOT_ALLOWLISTED)",
        rcpt="550 5.7.708 Service unavailable. Access denied, traffic not accepted from this "
             "IP. For more information please go to http://go.microsoft.com/fwlink/?LinkId=526653 "
             "AS(7230) {ms}"),
    "m365-tenant-attribution": _m365(
        "Relay refused by tenant attribution (IP_NOT_ALLOWLISTED)",
        rcpt="550 5.7.64 TenantAttribution; Relay Access Denied {ms}"),
    "m365-tls-version-unsupported": _m365(
        "TLS 1.0/1.1 refused: 421 after the handshake, whatever was negotiated "
        "(TLS_VERSION_UNSUPPORTED)",
        after_tls="421 4.7.66 TLS 1.0 and 1.1 are not supported. Please upgrade/update your "
                  "client to support TLS 1.2. Visit https://aka.ms/smtp_auth_tls. {ms}"),
    "m365-sender-thread-limit": _m365(
        "Too many concurrent submissions (SERVER_THROTTLING)",
        mail="432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded [Hostname={host}]"),
    "m365-submission-quota": _m365(
        "Submission quota exceeded after DATA (SERVER_THROTTLING)",
        data_end="554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; "
                 "Failed to process message due to a permanent exception with message "
                 "[BeginDiagnosticData]Cannot submit message. [Hostname={host}]"),
    "m365-inbound-mx": _m365(
        "Inbound MX (*.mail.protection.outlook.com), not submission: no AUTH offered",
        hostname="contoso-test.mail.protection.outlook.com",
        ehlo_tls=_ehlo("{host} Hello [{peer}]", MS_CAPS + MS_CAPS_TAIL)),

    # Google.
    "gmail-ok": _gmail(GMAIL_BASE["description"]),
    "gmail-app-password-required": _gmail(
        "2-step verification on: app password needed (EXTERNAL_APPS_BLOCKED)",
        auth=["534-5.7.9 Application-specific password required. For more information, go to",
              "534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor {gid} - gsmtp"]),
    "gmail-web-login-required": _gmail(
        "Sign-in blocked until a browser login, 5.7.14 (EXTERNAL_APPS_BLOCKED)",
        auth=["534-5.7.14 <https://accounts.google.com/signin/continue?sarp=1&scc=1&plt=AKgnsbt"
              "Xq0Yk2b3c4d5e6f7g8h9i0j>",
              "534-5.7.14 Please log in via your web browser and then try again.",
              "534-5.7.14  Learn more at",
              "534 5.7.14  https://support.google.com/mail/answer/78754 {gid} - gsmtp"]),
    "gmail-web-login-required-579": _gmail(
        "Sign-in blocked until a browser login, 5.7.9 WebLoginRequired (EXTERNAL_APPS_BLOCKED)",
        auth=["534-5.7.9 Please log in with your web browser and then try again. For more",
              "534-5.7.9 information, go to",
              "534 5.7.9  https://support.google.com/mail/?p=WebLoginRequired {gid} - gsmtp"]),
    "gmail-bad-credentials": _gmail(
        "Username and Password not accepted (INVALID_CREDENTIALS + GOOGLE_SMTP_UNSUPPORTED)",
        auth=GMAIL_BAD_CREDENTIALS),
    "gmail-xoauth2-bad-token": _gmail(
        "XOAUTH2 token refused: 334 base64-JSON challenge, then 535 (password AUTH gets the "
        "535 directly)",
        auth=GMAIL_BAD_CREDENTIALS, xoauth2_challenge=GMAIL_XOAUTH2_CHALLENGE),
    "gmail-temp-auth-failure": _gmail(
        "Too many login attempts, 454 4.7.0 (SERVER_THROTTLING)",
        auth=["454-4.7.0 Too many login attempts, please try again later. For more information,",
              "454-4.7.0 go to",
              "454 4.7.0  https://support.google.com/mail/answer/7126229 {gid} - gsmtp"]),
    "gmail-try-again-later": _gmail(
        "421 at EHLO, connection closed (SERVER_THROTTLING)",
        ehlo="421 4.7.0 Try again later, closing connection. (EHLO) {gid} - gsmtp"),
    "gmail-relay-ok": _gmail_relay(
        "Google Workspace SMTP relay (smtp-relay.gmail.com), accepts mail"),
    "gmail-relay-invalid-credentials": _gmail_relay(
        "SMTP relay: IP registered for another domain, 550 5.7.1 (IP_NOT_ALLOWLISTED)",
        mail_unauthenticated=None,
        mail=["550-5.7.1 Invalid credentials for relay [{peer}]. The IP address you've",
              "550-5.7.1 registered in your Workspace SMTP Relay service doesn't match the",
              "550-5.7.1 domain of the account this email is being sent from. If you are",
              "550-5.7.1 trying to relay mail from a domain that isn't registered under your",
              "550-5.7.1 Workspace account or has empty envelope-from, you must configure",
              "550-5.7.1 your mail server either to use SMTP AUTH to identify the sending",
              "550-5.7.1 domain or to present one of your domain names in the HELO or EHLO",
              "550-5.7.1 command. For more information, please visit",
              "550 5.7.1  https://support.google.com/a/answer/6140680#invalidcred {gid} - gsmtp"]),
    "gmail-relay-denied": _gmail_relay(
        "SMTP relay: Mail relay denied, 5.7.0 (IP_NOT_ALLOWLISTED)",
        mail_unauthenticated=None,
        rcpt=["550-5.7.0 Mail relay denied [{peer}]. Invalid credentials for relay for one of",
              "550-5.7.0 the domains in: example.test (as obtained from HELO and MAIL FROM).",
              "550-5.7.0 Email is being sent from a domain or IP address which isn't",
              "550-5.7.0 registered in your Workspace account. Please login to your",
              "550-5.7.0 Workspace account and verify that your sending device IP address",
              "550-5.7.0 has been registered within the Workspace SMTP Relay Settings.",
              "550 5.7.0  https://support.google.com/a/answer/6140680 {gid} - gsmtp"]),
    "gmail-ip-not-whitelisted": _gmail_relay(
        "SMTP relay: 421 IP not in whitelist at RCPT, connection closed (IP_NOT_ALLOWLISTED)",
        mail_unauthenticated=None,
        rcpt="421 4.7.0 IP not in whitelist for RCPT domain, closing connection. {gid} - gsmtp"),
    "gmail-relay-peak-limit": _gmail_relay(
        "SMTP relay: peak relay limit, 450 4.2.1 (SERVER_THROTTLING)",
        mail_unauthenticated=None,
        mail="450 4.2.1 Peak SMTP relay limit exceeded for customer. For more information on "
             "SMTP relay sending limits please contact your administrator or visit "
             "https://support.google.com/a/answer/6140680 {gid} - gsmtp"),

    # Generic MTAs.
    "generic-ok": _generic(GENERIC_BASE["description"]),
    "generic-no-starttls": _generic(
        "No STARTTLS offered, AUTH offered in plaintext (STARTTLS_NOT_OFFERED)",
        ehlo=_ehlo("{host}", ["PIPELINING", "SIZE 10240000", "AUTH PLAIN LOGIN",
                              "ENHANCEDSTATUSCODES", "8BITMIME"]),
        ehlo_tls=None),
    "generic-no-auth": _generic(
        "STARTTLS but no AUTH advertised (AUTH_NOT_OFFERED)",
        ehlo_tls=_ehlo("{host}", ["PIPELINING", "SIZE 10240000", "ENHANCEDSTATUSCODES",
                                  "8BITMIME"]),
        auth_unknown_mech="503 5.5.1 Error: authentication not enabled"),
    "generic-client-host-rejected": _generic(
        "Postfix client restriction at RCPT (IP_NOT_ALLOWLISTED)",
        rcpt="554 5.7.1 <unknown[{peer}]>: Client host rejected: Access denied"),
    "generic-greeting-554": _generic(
        "554 greeting, then 503 to everything but QUIT (IP_NOT_ALLOWLISTED)",
        fault="greeting-554"),
    "generic-relay-access-denied": _generic(
        "Postfix relay refusal (RELAY_DENIED)",
        rcpt="554 5.7.1 <{addr}>: Relay access denied"),
    "generic-relay-not-permitted": _generic(
        "Short relay refusal (RELAY_DENIED)", rcpt="550 relay not permitted"),
    "generic-relaying-denied": _generic(
        "Sendmail relay refusal (RELAY_DENIED)", rcpt="550 5.7.1 Relaying denied"),
    "generic-auth-credentials-invalid": _generic(
        "RFC 4954 wrong password (INVALID_CREDENTIALS)",
        auth="535 5.7.8 Authentication credentials invalid"),
    "exim-incorrect-auth": _exim(
        "Exim wrong password (INVALID_CREDENTIALS)", auth="535 Incorrect authentication data"),
    "generic-mechanism-too-weak": _generic(
        "Mechanism refused as too weak (AUTH_MECHANISM_UNSUPPORTED)",
        auth="534 5.7.9 Authentication mechanism is too weak"),
    "generic-temp-auth-failure": _generic(
        "Temporary authentication failure (SERVER_THROTTLING)",
        auth="454 4.7.0 Temporary authentication failure"),

    # The send stages: sending limits, block lists, relay and sender refusals (issue 16). Each
    # reply is the provider's published wording or one quoted in public reports.
    "gmail-daily-sending-limit": _gmail(
        "Daily sending limit at the end of DATA, 5.4.5 (SERVER_THROTTLING, sending limit)",
        data_end=["550-5.4.5 Daily user sending limit exceeded. For more information on Gmail",
                  "550-5.4.5 sending limits go to",
                  "550 5.4.5  https://support.google.com/a/answer/166852 {gid} - gsmtp"]),
    "m365-submission-quota-522": _m365(
        "Submission quota, 5.2.2 (SERVER_THROTTLING, sending limit)",
        data_end="554 5.2.2 mailbox full; STOREDRV.Submission.Exception:"
                 "SubmissionQuotaExceededException; Failed to process message due to a permanent "
                 "exception with message Cannot submit message. [Hostname={host}]"),
    "exchange-submission-rate": _generic(
        "Exchange message rate limit at MAIL FROM, 421 4.4.2 (SERVER_THROTTLING, sending limit)",
        mail="421 4.4.2 Message submission rate for this client has exceeded the configured "
             "limit"),
    "postfix-dnsbl": _generic(
        "Postfix reject_rbl_client at RCPT (IP_NOT_ALLOWLISTED, block list)",
        rcpt="554 5.7.1 Service unavailable; Client host [{peer}] blocked using "
             "zen.spamhaus.org; https://www.spamhaus.org/query/ip/{peer}"),
    "exim-dnsbl": _exim(
        "Exim dnslists at MAIL FROM (IP_NOT_ALLOWLISTED, block list)",
        mail="550 Rejected because {peer} is in a black list at b.barracudacentral.org"),
    "cpanel-relay-without-auth": _exim(
        "cPanel's Exim refuses to relay without AUTH (RELAY_DENIED; AUTH_REQUIRED without a "
        "username)",
        rcpt=["550-Please turn on SMTP Authentication in your mail client. [{peer}]",
              "550-{peer} is not permitted to relay through this server without",
              "550 authentication."]),
    "m365-unable-to-relay": _m365(
        "Relay to a non-accepted domain, 5.7.54 (RELAY_DENIED)",
        rcpt="550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain {ms}"),
    "postfix-sender-login-mismatch": _generic(
        "reject_sender_login_mismatch at MAIL FROM (SEND_AS_DENIED)",
        mail="553 5.7.1 <{addr}>: Sender address rejected: not owned by user hr@sender.test"),
    "postfix-sender-not-logged-in": _generic(
        "reject_unauthenticated_sender_login_mismatch at MAIL FROM (AUTH_REQUIRED)",
        mail="553 5.7.1 <{addr}>: Sender address rejected: not logged in"),
    "yandex-sender-not-owned": _generic(
        "Yandex refuses a sender of another account (SEND_AS_DENIED)",
        hostname="smtp.yandex.test",
        mail="553 5.7.1 Sender address rejected: not owned by auth user."),
    "gmx-sender-not-allowed": _generic(
        "GMX / WEB.DE refuse a sender of another account (SEND_AS_DENIED)",
        hostname="mail.gmx.test",
        mail="550 5.7.0 Sender address does not belong to logged in user {mp-us001}"),
    "zoho-relaying-disallowed": _generic(
        "Zoho refuses a sender of another account (SEND_AS_DENIED)",
        hostname="smtp.zoho.test", mail="553 Relaying disallowed as {addr}"),
    "ses-unverified-sender": _generic(
        "Amazon SES refuses an unverified sender after DATA (SEND_AS_DENIED)",
        hostname="email-smtp.eu-west-1.amazonaws.test",
        data_end="554 Message rejected: Email address is not verified. The following identities "
                 "failed the check in region EU-WEST-1: user@sender.test"),
    "sendgrid-unverified-sender": _generic(
        "SendGrid refuses a sender without a verified Sender Identity (SEND_AS_DENIED)",
        hostname="smtp.sendgrid.test",
        mail="550 The from address does not match a verified Sender Identity. Mail cannot be "
             "sent until this error is resolved. Visit https://sendgrid.com/docs/"
             "for-developers/sending-email/sender-identity/ to see the Sender Identity "
             "requirements"),
    "mailgun-unverified-domain": _generic(
        "Mailgun refuses a domain it has not verified (SEND_AS_DENIED)",
        hostname="smtp.mailgun.test",
        data_end="554 5.7.1 Domain sender.test is not allowed to send: The domain is unverified "
                 "and requires DNS configuration. Log in to your control panel to view "
                 "required DNS records."),
    "m365-restricted-sender": _m365(
        "Account on Microsoft's restricted entities list, 5.1.8 (SENDER_RESTRICTED)",
        rcpt="550 5.1.8 Access denied, bad outbound sender AS(42004) {ms}"),
    "m365-starttls-required": _m365(
        "STARTTLS required, 451 5.7.3 (TLS_MODE_MISMATCH)",
        mail="451 5.7.3 STARTTLS is required to send mail {ms}"),
    "generic-temporary-rcpt": _generic(
        "A temporary refusal that names no limit (TEMPORARY_FAILURE)",
        rcpt="451 4.3.0 <{addr}>: Temporary lookup failure"),
}


def get(name):
    """Returns a deep copy of a profile, or raises KeyError."""
    return copy.deepcopy(PROFILES[name])
