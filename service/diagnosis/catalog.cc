#include "diagnosis/catalog.h"

#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_split.h"

namespace cv::diagnosis {
namespace {

namespace pb = channelverify::v1;

constexpr Severity kInfo = pb::SEVERITY_INFO;
constexpr Severity kWarning = pb::SEVERITY_WARNING;
constexpr Severity kError = pb::SEVERITY_ERROR;

// The texts are data (docs/architecture.md, principle 6): one row per code, in code order, then the
// guidance entries of the help article. The German follows the article's wording and register
// ("Sie", "Nutzendenname", "Mögliche Lösung" turned into instructions); the English says the
// same. Where the article recommends the direct integration, so do these texts.
// Columns: code, documented case, default severity, title en, title de, remediation en, de.
constexpr CatalogEntry kCatalog[] = {
    {pb::DIAGNOSIS_CODE_GOOGLE_SMTP_UNSUPPORTED, "google-smtp-unsupported", kError,
     "Google no longer supports new SMTP connections",
     "Google unterstützt keine neuen SMTP-Verbindungen mehr",
     "Google is ending password sign-in for new SMTP connections, so an SMTP channel to Google "
     "(smtp.gmail.com, smtp-relay.gmail.com) cannot be set up reliably. You need to set up the "
     "direct integration with Google instead.",
     "Google unterstützt demnächst keine neuen SMTP-Verbindungen mit Nutzendenname und Passwort "
     "mehr. Eine SMTP-Verbindung zu Google (smtp.gmail.com, smtp-relay.gmail.com) lässt sich "
     "daher nicht zuverlässig einrichten. Sie müssen stattdessen die direkte Integration mit "
     "Google einrichten."},
    {pb::DIAGNOSIS_CODE_PROVIDER_SMTP_RETIRING, "provider-smtp-retiring", kWarning,
     "SMTP connections to Google and Microsoft are being phased out",
     "SMTP-Verbindungen zu Google und Microsoft werden schrittweise getrennt",
     "Google and Microsoft are gradually cutting off existing SMTP connections that sign in with "
     "a password. Sending then fails with a generic error (\"An error occurred\" or similar). We "
     "recommend switching to the direct integration with Google or Microsoft.",
     "Google und Microsoft trennen bestehende SMTP-Verbindungen mit Passwort-Anmeldung nach und "
     "nach. Beim Senden erscheint dann eine allgemeine Fehlermeldung wie „Ein Fehler ist "
     "aufgetreten“. Wir empfehlen Ihnen, zur direkten Integration mit Google bzw. Microsoft zu "
     "wechseln."},
    {pb::DIAGNOSIS_CODE_SHARED_MAILBOX, "shared-mailbox", kError, "The address is a shared mailbox",
     "Die Adresse ist ein freigegebenes Postfach",
     "A shared mailbox has no username and no password of its own, so it cannot sign in to the "
     "SMTP server. Use a fully licensed email address for recruiting, not a shared mailbox: when "
     "you subscribe to an email provider such as Microsoft 365, include the number of licences "
     "you need, so that you can assign each of your employees a licence of their own.",
     "Ein freigegebenes Postfach hat keinen eigenen Nutzendennamen und kein eigenes Passwort und "
     "kann sich daher nicht am SMTP-Server anmelden. Verwenden Sie für das Recruiting eine voll "
     "lizenzierte E-Mail-Adresse und kein freigegebenes Postfach. Geben Sie daher beim Abschluss "
     "eines Abonnements für einen E-Mail-Anbieter wie Microsoft 365 die Anzahl der benötigten "
     "Lizenzen an. Anschließend können Sie allen Ihren Mitarbeitenden eine eigene Lizenz "
     "zuweisen."},
    {pb::DIAGNOSIS_CODE_IP_NOT_ALLOWLISTED, "ip-allowlist", kError,
     "The SMTP server only lets listed IP addresses send",
     "Der SMTP-Server lässt nur freigegebene IP-Adressen senden",
     "Your SMTP server, or the firewall in front of it, only allows certain IP addresses to "
     "send, and the recruiting platform's addresses are not among them. Make sure that you allow "
     "the following IP addresses for recruiting emails: {egress_ips}.",
     "Ihr SMTP-Server bzw. die Firewall davor erteilt nur bestimmten IP-Adressen eine "
     "Sendeerlaubnis, und die Adressen der Recruiting-Plattform gehören nicht dazu. Stellen Sie "
     "sicher, dass Sie die folgenden IP-Adressen für Recruiting-E-Mails zulassen: {egress_ips}."},
    {pb::DIAGNOSIS_CODE_EXTERNAL_APPS_BLOCKED, "external-apps", kError,
     "The email provider does not allow external apps",
     "Der E-Mail-Anbieter lässt keine externen Apps zu",
     "Check whether your email account is allowed to connect to external applications; Gmail, "
     "for example, does not allow this by default. Then allow external apps in the settings of "
     "your email provider. If the account uses 2-Step Verification, Google requires an app "
     "password instead of the account password.",
     "Prüfen Sie, ob Ihr E-Mail-Account über die Berechtigung zur Verbindung mit externen "
     "Anwendungen verfügt. Gmail lässt dies z. B. standardmäßig nicht zu. Erlauben Sie "
     "anschließend die Nutzung von externen Apps in den Einstellungen Ihres E-Mail-Anbieters. "
     "Ist für den Account die Bestätigung in zwei Schritten aktiv, verlangt Google ein "
     "App-Passwort statt des Account-Passworts."},
    {pb::DIAGNOSIS_CODE_INVALID_CREDENTIALS, "credentials", kError,
     "The access data was not accepted", "Die Zugriffsdaten wurden nicht akzeptiert",
     "The email server rejected the username or password. Update the access data on your email "
     "server. Then check that it is also up to date in the recruiting email settings: go to "
     "Settings > Recruiting > General and click the edit button next to Recruiting email "
     "settings.",
     "Der E-Mail-Server hat Nutzendenname oder Passwort abgelehnt. Sie müssen die Zugriffsdaten "
     "auf Ihrem E-Mail-Server aktualisieren. Anschließend können Sie überprüfen, ob diese auch in "
     "den Recruiting-E-Mail-Einstellungen aktualisiert wurden: Navigieren Sie in den "
     "Einstellungen zu Recruiting > Allgemein und klicken Sie neben Recruiting-E-Mail-"
     "Einstellungen auf den Button zum Bearbeiten."},
    {pb::DIAGNOSIS_CODE_SERVER_UNREACHABLE, "unreachable", kError,
     "The email server cannot be reached", "Der E-Mail-Server ist nicht erreichbar",
     "The connection timed out. Your IT department must check that the email server can be "
     "reached at the configured host and port. A firewall that silently drops connections from "
     "unknown addresses also causes timeouts; if yours filters by address, allow {egress_ips}.",
     "Die Verbindung wurde wegen Zeitüberschreitung abgebrochen. Ihre IT-Abteilung muss prüfen, "
     "ob der E-Mail-Server unter dem eingestellten Host und Port erreicht werden kann. Auch eine "
     "Firewall, die Verbindungen von unbekannten Adressen stillschweigend verwirft, führt zu "
     "einer Zeitüberschreitung; filtert Ihre Firewall nach Adressen, lassen Sie {egress_ips} "
     "zu."},
    {pb::DIAGNOSIS_CODE_M365_SMTP_AUTH_DISABLED, "m365-smtp-auth", kError,
     "SMTP AUTH is disabled in Microsoft 365", "SMTP AUTH ist in Microsoft 365 deaktiviert",
     "Microsoft 365 rejected the sign-in (expected reply 235, got 535) because SMTP AUTH is not "
     "enabled. We recommend switching to the direct integration with Microsoft. Alternatively, "
     "make sure that SMTP AUTH is enabled, both for your organisation and for this mailbox.",
     "Microsoft 365 hat die Anmeldung abgelehnt (erwarteter Antwortcode 235, erhalten 535), weil "
     "SMTP AUTH nicht aktiviert ist. Wir empfehlen, zu unserer direkten Integration mit "
     "Microsoft zu wechseln. Stellen Sie alternativ sicher, dass SMTP AUTH aktiviert ist, und "
     "zwar für Ihre Organisation und für dieses Postfach."},
    {pb::DIAGNOSIS_CODE_ENTRA_SECURITY_DEFAULTS, "entra-security-defaults", kError,
     "Microsoft Entra security defaults block SMTP AUTH",
     "Die Standard-Sicherheitseinstellungen von Microsoft Entra blockieren SMTP AUTH",
     "Microsoft adds security defaults to new tenants, and they can override the SMTP AUTH "
     "settings. We recommend switching to the direct integration with Microsoft. Alternatively, "
     "disable the security defaults in Microsoft Entra ID and make sure that basic "
     "authentication for SMTP is allowed in the org settings of your Microsoft 365 admin center "
     "and for the account itself.",
     "Bei der Nutzung von Microsoft werden neuen Mandanten Standard-Sicherheitseinstellungen "
     "hinzugefügt, die die SMTP-AUTH-Einstellungen überschreiben können. Wir empfehlen, zu "
     "unserer direkten Integration mit Microsoft zu wechseln. Alternativ müssen Sie die "
     "Standard-Sicherheitseinstellungen in Microsoft Entra ID deaktivieren. Stellen Sie sicher, "
     "dass Basic Auth für SMTP über die Org-Einstellungen in Ihrem Microsoft 365 Admin Center und "
     "für den jeweiligen Account erlaubt ist."},
    {pb::DIAGNOSIS_CODE_INTEGRATION_SHARED_MAILBOX, "integration-account", kError,
     "The integration account is a shared mailbox",
     "Der Account der Integration ist ein freigegebenes Postfach",
     "The email account you use for the direct integration must not be a shared mailbox. It "
     "must have its own mailbox and its own login, have admin rights, and be licensed.",
     "Der E-Mail-Account, den Sie für die Integration nutzen, darf kein freigegebenes Postfach "
     "sein. Er muss über ein eigenes Postfach und eigene Login-Zugriffsdaten verfügen, Admin-"
     "Rechte haben und lizenziert sein."},
    {pb::DIAGNOSIS_CODE_INTEGRATION_NOT_ADMIN, "integration-account", kError,
     "The integration account has no admin rights",
     "Der Account der Integration hat keine Admin-Rechte",
     "The email account you use for the direct integration must have admin rights (Microsoft "
     "365: Global Administrator or Exchange Administrator; Google Workspace: administrator). Set "
     "up the integration with such an account; it must also have its own mailbox and login and "
     "be licensed.",
     "Der E-Mail-Account, den Sie für die Integration nutzen, muss über Admin-Rechte verfügen "
     "(Microsoft 365: Globaler Administrator oder Exchange-Administrator; Google Workspace: "
     "Administrator). Richten Sie die Integration mit einem solchen Account ein. Er muss "
     "außerdem über ein eigenes Postfach und eigene Login-Zugriffsdaten verfügen und lizenziert "
     "sein."},
    {pb::DIAGNOSIS_CODE_INTEGRATION_NOT_LICENSED, "integration-account", kError,
     "The integration account is not licensed", "Der Account der Integration ist nicht lizenziert",
     "The email account you use for the direct integration must be licensed and have an active "
     "mailbox. When you subscribe to an email provider such as Microsoft 365, include the number "
     "of licences you need, so that you can assign each of your employees a licence of their "
     "own.",
     "Der E-Mail-Account, den Sie für die Integration nutzen, muss lizenziert sein und ein "
     "aktives Postfach haben. Geben Sie daher beim Abschluss eines Abonnements für einen "
     "E-Mail-Anbieter wie Microsoft 365 die Anzahl der benötigten Lizenzen an. Anschließend "
     "können Sie allen Ihren Mitarbeitenden eine eigene Lizenz zuweisen."},
    {pb::DIAGNOSIS_CODE_DNS_NAME_NOT_FOUND, "", kError,
     "The host name of the email server does not exist",
     "Der Hostname des E-Mail-Servers existiert nicht",
     "DNS has no address for the configured host name. Check the host name for typos (for "
     "example smtp.office365.com) and ask your IT department whether the name is published in "
     "public DNS.",
     "Für den eingestellten Hostnamen gibt es im DNS keine Adresse. Prüfen Sie den Hostnamen auf "
     "Tippfehler (z. B. smtp.office365.com) und fragen Sie Ihre IT-Abteilung, ob der Name im "
     "öffentlichen DNS eingetragen ist."},
    {pb::DIAGNOSIS_CODE_DNS_LOOKUP_FAILED, "", kError, "The host name could not be looked up",
     "Der Hostname konnte nicht aufgelöst werden",
     "The DNS lookup failed (server failure, refusal or timeout), so it is unknown whether the "
     "host exists. This is usually temporary: try again later. If it persists, your IT "
     "department must check the DNS configuration of the domain.",
     "Die DNS-Abfrage ist fehlgeschlagen (Serverfehler, Ablehnung oder Zeitüberschreitung). Ob "
     "der Host existiert, ist daher unbekannt. Das ist meist vorübergehend: Versuchen Sie es "
     "später erneut. Bleibt der Fehler bestehen, muss Ihre IT-Abteilung die DNS-Konfiguration "
     "der Domain prüfen."},
    {pb::DIAGNOSIS_CODE_CONNECTION_REFUSED, "", kError, "The email server refused the connection",
     "Der E-Mail-Server hat die Verbindung abgelehnt",
     "Nothing accepts connections on this port, or a firewall rejects them. Check the port (587 "
     "for STARTTLS, 465 for TLS). If the port is right, the firewall probably only admits listed "
     "addresses: allow {egress_ips}.",
     "Auf diesem Port nimmt der Server keine Verbindungen an, oder eine Firewall lehnt sie ab. "
     "Prüfen Sie den Port (587 für STARTTLS, 465 für TLS). Ist der Port richtig, lässt die "
     "Firewall vermutlich nur bestimmte IP-Adressen zu: Lassen Sie {egress_ips} zu."},
    {pb::DIAGNOSIS_CODE_TLS_MODE_MISMATCH, "", kError, "Port and encryption do not match",
     "Port und Verschlüsselung passen nicht zusammen",
     "The server expects a different kind of encryption than configured. With STARTTLS (usually "
     "port 587) the connection starts unencrypted and then switches to TLS; with TLS (usually "
     "port 465) it is encrypted from the first byte. Choose the encryption that matches the "
     "port, or the port that matches the encryption.",
     "Der Server erwartet eine andere Verschlüsselung als eingestellt. Bei STARTTLS (meist Port "
     "587) beginnt die Verbindung unverschlüsselt und wechselt dann zu TLS, bei TLS (meist Port "
     "465) ist sie vom ersten Byte an verschlüsselt. Wählen Sie die Verschlüsselung, die zum Port "
     "passt, oder den Port, der zur Verschlüsselung passt."},
    {pb::DIAGNOSIS_CODE_STARTTLS_NOT_OFFERED, "", kError, "The server does not offer STARTTLS",
     "Der Server bietet kein STARTTLS an",
     "The server did not offer STARTTLS on this port, so the connection cannot be encrypted. Use "
     "the server's TLS port (usually 465) if it has one, or ask your IT department to enable "
     "STARTTLS. A firewall or proxy that filters STARTTLS has the same effect.",
     "Der Server hat auf diesem Port kein STARTTLS angeboten, daher kann die Verbindung nicht "
     "verschlüsselt werden. Nutzen Sie den TLS-Port des Servers (meist 465), sofern vorhanden, "
     "oder bitten Sie Ihre IT-Abteilung, STARTTLS zu aktivieren. Dieselbe Wirkung hat eine "
     "Firewall oder ein Proxy, der STARTTLS herausfiltert."},
    {pb::DIAGNOSIS_CODE_TLS_HANDSHAKE_FAILED, "", kError, "The TLS handshake failed",
     "Der TLS-Verbindungsaufbau ist fehlgeschlagen",
     "The encrypted connection could not be established: there is no common cipher, or the "
     "server closed the connection during the handshake. Your IT department must check the "
     "server's TLS configuration; TLS 1.2 or newer with current ciphers is required.",
     "Die verschlüsselte Verbindung konnte nicht aufgebaut werden: Es gibt kein gemeinsames "
     "Verschlüsselungsverfahren, oder der Server hat die Verbindung während des Aufbaus beendet. "
     "Ihre IT-Abteilung muss die TLS-Konfiguration des Servers prüfen; erforderlich sind TLS 1.2 "
     "oder neuer und aktuelle Verfahren."},
    {pb::DIAGNOSIS_CODE_TLS_CERTIFICATE_INVALID, "", kError,
     "The server's certificate is not valid", "Das Zertifikat des Servers ist ungültig",
     "The server presented a certificate that cannot be trusted: it has expired, was issued for "
     "another host name, or is not signed by a public certificate authority (the evidence says "
     "which). Use the host name the certificate was issued for, or ask your IT department to "
     "install a valid certificate.",
     "Der Server hat ein Zertifikat vorgelegt, dem nicht vertraut werden kann: Es ist abgelaufen, "
     "wurde für einen anderen Hostnamen ausgestellt oder ist nicht von einer öffentlichen "
     "Zertifizierungsstelle signiert (der Nachweis nennt den Grund). Verwenden Sie den Hostnamen, "
     "für den das Zertifikat ausgestellt wurde, oder bitten Sie Ihre IT-Abteilung, ein gültiges "
     "Zertifikat einzurichten."},
    {pb::DIAGNOSIS_CODE_TLS_VERSION_UNSUPPORTED, "", kError, "No common TLS version",
     "Keine gemeinsame TLS-Version",
     "The server and the recruiting platform have no TLS version in common; TLS 1.2 or newer is "
     "required. Your IT department must enable TLS 1.2 or newer on the email server.",
     "Der Server und die Recruiting-Plattform haben keine gemeinsame TLS-Version; erforderlich "
     "ist TLS 1.2 oder neuer. Ihre IT-Abteilung muss TLS 1.2 oder neuer auf dem E-Mail-Server "
     "aktivieren."},
    {pb::DIAGNOSIS_CODE_PLAINTEXT_CONNECTION, "", kWarning, "The connection is not encrypted",
     "Die Verbindung ist nicht verschlüsselt",
     "The channel is set to send without encryption, so username, password and emails cross the "
     "network in clear text. Use STARTTLS (usually port 587) or TLS (usually port 465).",
     "Der Kanal ist ohne Verschlüsselung eingestellt, daher werden Nutzendenname, Passwort und "
     "E-Mails unverschlüsselt übertragen. Verwenden Sie STARTTLS (meist Port 587) oder TLS "
     "(meist Port 465)."},
    {pb::DIAGNOSIS_CODE_AUTH_NOT_OFFERED, "", kError, "The server does not offer SMTP AUTH",
     "Der Server bietet keine Anmeldung (SMTP AUTH) an",
     "The server did not announce SMTP AUTH, so the username and password cannot be used. Many "
     "servers offer AUTH only after STARTTLS or only on port 587. Check port and encryption, or "
     "ask your IT department to enable SMTP AUTH for this port.",
     "Der Server hat SMTP AUTH nicht angeboten, daher können Nutzendenname und Passwort nicht "
     "verwendet werden. Viele Server bieten AUTH erst nach STARTTLS oder nur auf Port 587 an. "
     "Prüfen Sie Port und Verschlüsselung oder bitten Sie Ihre IT-Abteilung, SMTP AUTH für diesen "
     "Port zu aktivieren."},
    {pb::DIAGNOSIS_CODE_AUTH_REQUIRED, "", kError, "The server requires sign-in",
     "Der Server verlangt eine Anmeldung",
     "The server only accepts emails from senders who have signed in, but the channel did not "
     "sign in. Enter the username and password of a licensed mailbox. If the address is a "
     "shared mailbox, it has no login of its own: use a fully licensed email address instead.",
     "Der Server nimmt nur E-Mails von angemeldeten Absendenden an, der Kanal hat sich aber "
     "nicht angemeldet. Tragen Sie Nutzendenname und Passwort eines lizenzierten Postfachs ein. "
     "Ist die Adresse ein freigegebenes Postfach, hat sie keine eigenen Login-Zugriffsdaten: "
     "Verwenden Sie dann eine voll lizenzierte E-Mail-Adresse."},
    {pb::DIAGNOSIS_CODE_AUTH_MECHANISM_UNSUPPORTED, "", kError, "No usable sign-in method",
     "Keine nutzbare Anmeldemethode",
     "The server does not accept the sign-in methods the recruiting platform uses (PLAIN, LOGIN, "
     "XOAUTH2) on this connection, or considers them too weak. Servers often allow PLAIN and "
     "LOGIN only over an encrypted connection: use STARTTLS or TLS, or ask your IT department to "
     "enable one of these methods.",
     "Der Server akzeptiert die Anmeldemethoden der Recruiting-Plattform (PLAIN, LOGIN, XOAUTH2) "
     "auf dieser Verbindung nicht oder hält sie für zu schwach. Oft sind PLAIN und LOGIN nur über "
     "eine verschlüsselte Verbindung erlaubt: Verwenden Sie STARTTLS oder TLS oder bitten Sie "
     "Ihre IT-Abteilung, eine dieser Methoden zu aktivieren."},
    {pb::DIAGNOSIS_CODE_MFA_OR_CONDITIONAL_ACCESS, "", kError,
     "Multi-factor authentication or conditional access blocks the sign-in",
     "Multi-Faktor-Authentifizierung oder bedingter Zugriff blockiert die Anmeldung",
     "The sign-in does not meet your organisation's requirements: multi-factor authentication "
     "or a conditional access policy blocks signing in with a password or from this location. "
     "We recommend switching to the direct integration, whose sign-in supports multi-factor "
     "authentication. Alternatively, your IT department can exclude this account from the "
     "policy.",
     "Die Anmeldung erfüllt die Vorgaben Ihrer Organisation nicht: Multi-Faktor-"
     "Authentifizierung oder eine Richtlinie für bedingten Zugriff blockiert die Anmeldung mit "
     "Passwort oder von diesem Standort aus. Wir empfehlen, zur direkten Integration zu wechseln, "
     "deren Anmeldung Multi-Faktor-Authentifizierung unterstützt. Alternativ kann Ihre "
     "IT-Abteilung diesen Account von der Richtlinie ausnehmen."},
    {pb::DIAGNOSIS_CODE_ACCOUNT_LOCKED, "", kError, "The account is locked",
     "Der Account ist gesperrt",
     "The email provider has locked the account, usually after too many failed sign-ins. Your "
     "IT department must unlock it. If the password is changed in the process, update it in the "
     "recruiting email settings afterwards.",
     "Der E-Mail-Anbieter hat den Account gesperrt, meist nach zu vielen fehlgeschlagenen "
     "Anmeldungen. Ihre IT-Abteilung muss ihn entsperren. Wird dabei das Passwort geändert, "
     "aktualisieren Sie es anschließend in den Recruiting-E-Mail-Einstellungen."},
    {pb::DIAGNOSIS_CODE_ACCOUNT_DISABLED, "", kError, "The account is disabled",
     "Der Account ist deaktiviert",
     "The account cannot sign in because it is disabled or suspended. This is typical of a "
     "shared mailbox, whose account is blocked from signing in. Use an active, fully licensed "
     "mailbox, or ask your IT department to enable the account again.",
     "Der Account kann sich nicht anmelden, weil er deaktiviert oder gesperrt ist. Das ist "
     "typisch für ein freigegebenes Postfach, dessen Account für die Anmeldung gesperrt ist. "
     "Verwenden Sie ein aktives, voll lizenziertes Postfach oder bitten Sie Ihre IT-Abteilung, "
     "den Account wieder zu aktivieren."},
    {pb::DIAGNOSIS_CODE_SEND_AS_DENIED, "", kError,
     "The account may not send from this sender address",
     "Der Account darf nicht mit dieser Absendeadresse senden",
     "The sign-in worked, but the account is not allowed to send as the configured sender "
     "address. This often happens when the sender address is a shared mailbox. Use the "
     "account's own address as the sender, or ask your IT department to grant the account the "
     "\"Send As\" permission for the sender address.",
     "Die Anmeldung hat funktioniert, aber der Account darf nicht mit der eingestellten "
     "Absendeadresse senden. Das passiert oft, wenn die Absendeadresse ein freigegebenes "
     "Postfach ist. Verwenden Sie die eigene Adresse des Accounts als Absendeadresse oder bitten "
     "Sie Ihre IT-Abteilung, dem Account die Berechtigung „Senden als“ für die Absendeadresse zu "
     "erteilen."},
    {pb::DIAGNOSIS_CODE_RELAY_DENIED, "", kError, "The server refuses to relay the email",
     "Der Server verweigert die Weiterleitung der E-Mail",
     "The server does not forward emails to outside recipients over this connection. Usually the "
     "channel has not signed in, or the server only relays for listed IP addresses. Enter a "
     "username and password, or ask your IT department to allow relaying for {egress_ips}.",
     "Der Server leitet E-Mails über diese Verbindung nicht an externe Empfangende weiter. Meist "
     "hat sich der Kanal nicht angemeldet, oder der Server leitet nur für bestimmte IP-Adressen "
     "weiter. Tragen Sie Nutzendenname und Passwort ein oder bitten Sie Ihre IT-Abteilung, die "
     "Weiterleitung für {egress_ips} zu erlauben."},
    {pb::DIAGNOSIS_CODE_SERVER_THROTTLING, "", kWarning, "The server is limiting requests",
     "Der Server begrenzt die Anfragen",
     "The server temporarily refused the request because of a rate or sending limit. Wait before "
     "you try again: immediate retries prolong the block. If it keeps happening, your IT "
     "department must check the sending limits of the mailbox.",
     "Der Server hat die Anfrage wegen eines Anfrage- oder Versandlimits vorübergehend "
     "abgelehnt. Warten Sie, bevor Sie es erneut versuchen: Sofortige Wiederholungen verlängern "
     "die Sperre. Tritt das häufiger auf, muss Ihre IT-Abteilung die Versandlimits des Postfachs "
     "prüfen."},
    {pb::DIAGNOSIS_CODE_OAUTH_GRANT_INVALID, "", kError,
     "The integration's authorisation has expired or was revoked",
     "Die Berechtigung der Integration ist abgelaufen oder wurde widerrufen",
     "The provider no longer accepts the integration's authorisation: it has expired or was "
     "revoked, for example after a password change. Connect the direct integration again in the "
     "recruiting email settings (Settings > Recruiting > General).",
     "Der Anbieter akzeptiert die Berechtigung der Integration nicht mehr: Sie ist abgelaufen "
     "oder wurde widerrufen, z. B. nach einer Passwortänderung. Verbinden Sie die direkte "
     "Integration in den Recruiting-E-Mail-Einstellungen erneut (Einstellungen > Recruiting > "
     "Allgemein)."},
    {pb::DIAGNOSIS_CODE_OAUTH_CONSENT_REQUIRED, "", kError,
     "Consent for the integration is missing", "Die Zustimmung für die Integration fehlt",
     "The integration's app has not been approved in your organisation. An administrator must "
     "grant consent for the app; then connect the integration again.",
     "Die App der Integration wurde in Ihrer Organisation noch nicht genehmigt. Eine Person mit "
     "Admin-Rechten muss der App zustimmen; verbinden Sie die Integration anschließend erneut."},
    {pb::DIAGNOSIS_CODE_OAUTH_CLIENT_MISCONFIGURED, "", kError,
     "The integration's OAuth client is misconfigured",
     "Der OAuth-Client der Integration ist falsch konfiguriert",
     "The provider rejected the service's own OAuth client (unknown client, or a wrong or "
     "expired secret). Your mailbox is not the cause: contact our support team and mention this "
     "diagnosis.",
     "Der Anbieter hat den OAuth-Client des Dienstes abgelehnt (unbekannter Client oder falsches "
     "bzw. abgelaufenes Secret). Die Ursache liegt nicht bei Ihrem Postfach: Wenden Sie sich an "
     "unser Support-Team und nennen Sie diese Diagnose."},
    {pb::DIAGNOSIS_CODE_OAUTH_SCOPE_MISSING, "", kError, "The integration lacks a permission",
     "Der Integration fehlt eine Berechtigung",
     "The integration's token lacks a permission it needs, for example to read the account or "
     "to send emails. Connect the integration again and accept all requested permissions. If "
     "your organisation restricts app permissions, an administrator must approve them.",
     "Dem Token der Integration fehlt eine benötigte Berechtigung, z. B. zum Lesen des Accounts "
     "oder zum Senden von E-Mails. Verbinden Sie die Integration erneut und bestätigen Sie alle "
     "angefragten Berechtigungen. Schränkt Ihre Organisation App-Berechtigungen ein, muss eine "
     "Person mit Admin-Rechten sie genehmigen."},
    {pb::DIAGNOSIS_CODE_MAILBOX_NOT_FOUND, "", kError, "The mailbox was not found",
     "Das Postfach wurde nicht gefunden",
     "The provider does not know this account or mailbox in the given organisation (wrong "
     "address, wrong tenant, or a guest account). Check the address and connect the integration "
     "with an account of your own organisation.",
     "Der Anbieter kennt diesen Account bzw. dieses Postfach in der angegebenen Organisation "
     "nicht (falsche Adresse, falscher Mandant oder ein Gastkonto). Prüfen Sie die Adresse und "
     "verbinden Sie die Integration mit einem Account Ihrer eigenen Organisation."},
    {pb::DIAGNOSIS_CODE_TARGET_FORBIDDEN, "", kError, "This address may not be contacted",
     "Diese Adresse darf nicht kontaktiert werden",
     "The host points to an address or port that the service must not connect to, for example a "
     "private or internal network address. Use the public host name of the email server and a "
     "usual mail port (25, 465, 587 or 2525).",
     "Der Host verweist auf eine Adresse oder einen Port, zu dem der Dienst keine Verbindung "
     "aufbauen darf, z. B. eine private bzw. interne Netzwerkadresse. Verwenden Sie den "
     "öffentlichen Hostnamen des E-Mail-Servers und einen üblichen Mail-Port (25, 465, 587 oder "
     "2525)."},
    {pb::DIAGNOSIS_CODE_DEADLINE_TOO_SHORT, "", kWarning, "The check ran out of time",
     "Die Prüfung wurde aus Zeitgründen abgebrochen",
     "The time allowed for the check ended before all steps were done, so the results are "
     "incomplete. Run the check again with more time.",
     "Die Zeit für die Prüfung ist abgelaufen, bevor alle Schritte erledigt waren; die "
     "Ergebnisse sind daher unvollständig. Führen Sie die Prüfung mit mehr Zeit erneut aus."},
    {pb::DIAGNOSIS_CODE_WRONG_PORT_OR_TLS_MODE, "", kError, "Wrong port or encryption",
     "Falscher Port oder falsche Verschlüsselung",
     "The configured port and encryption do not work with this server, but another usual "
     "setting does (see the suggested settings). Change port and encryption in the recruiting "
     "email settings accordingly.",
     "Der eingestellte Port und die Verschlüsselung funktionieren mit diesem Server nicht, eine "
     "andere übliche Einstellung aber schon (siehe die vorgeschlagenen Einstellungen). Passen "
     "Sie Port und Verschlüsselung in den Recruiting-E-Mail-Einstellungen entsprechend an."},
    {pb::DIAGNOSIS_CODE_PROVIDER_MISMATCH, "", kWarning,
     "The sender domain's email is hosted by Google or Microsoft",
     "Die E-Mails der Absendedomain werden bei Google oder Microsoft gehostet",
     "Your domain's email is hosted by Google or Microsoft, but the channel sends through another "
     "SMTP server. Emails sent that way may fail the recipients' sender checks (SPF, DKIM, "
     "DMARC). If you use Google or Microsoft, you need to set up the direct integration.",
     "Die E-Mails Ihrer Domain werden bei Google oder Microsoft gehostet, der Kanal sendet aber "
     "über einen anderen SMTP-Server. So versendete E-Mails können bei den Empfangenden an den "
     "Absenderprüfungen (SPF, DKIM, DMARC) scheitern. Wenn Sie Google oder Microsoft nutzen, "
     "müssen Sie die direkte Integration einrichten."},
    {pb::DIAGNOSIS_CODE_SERVER_PROTOCOL_ERROR, "", kError, "The server broke the SMTP protocol",
     "Der Server hat das SMTP-Protokoll verletzt",
     "The server sent replies that are not valid SMTP (malformed, overlong or endless), or "
     "dropped the connection. Check that host and port belong to an email server and not to "
     "another service; otherwise your IT department must check the server.",
     "Der Server hat ungültige SMTP-Antworten gesendet (fehlerhaft, überlang oder endlos) oder "
     "die Verbindung abgebrochen. Prüfen Sie, ob Host und Port zu einem E-Mail-Server und nicht "
     "zu einem anderen Dienst gehören; andernfalls muss Ihre IT-Abteilung den Server prüfen."},
    {pb::DIAGNOSIS_CODE_DIRECT_INTEGRATION_RECOMMENDED, "", kInfo,
     "Use the direct integration with Google or Microsoft",
     "Direkte Integration mit Google oder Microsoft nutzen",
     "Your email is hosted by Google or Microsoft. We recommend switching to the direct "
     "integration: it avoids the SMTP problems found here, and Google and Microsoft are phasing "
     "out password sign-in over SMTP.",
     "Ihre E-Mails werden bei Google oder Microsoft gehostet. Wir empfehlen, zu unserer direkten "
     "Integration zu wechseln: Sie vermeidet die hier gefundenen SMTP-Probleme, und Google und "
     "Microsoft schaffen die Anmeldung mit Passwort über SMTP schrittweise ab."},
    {pb::DIAGNOSIS_CODE_SMTPUTF8_UNSUPPORTED, "", kError,
     "The server cannot take addresses with international characters",
     "Der Server akzeptiert keine Adressen mit internationalen Zeichen",
     "The sender or recipient address has characters outside ASCII (for example umlauts) before "
     "the @, which needs the SMTPUTF8 extension, and your SMTP server does not offer it. No "
     "message was sent. Use an address without such characters, or ask your IT department "
     "whether the server can enable SMTPUTF8.",
     "Die Absende- oder Empfangsadresse enthält vor dem @ Zeichen außerhalb von ASCII (zum "
     "Beispiel Umlaute). Dafür ist die Erweiterung SMTPUTF8 nötig, die Ihr SMTP-Server nicht "
     "anbietet. Es wurde keine Nachricht gesendet. Verwenden Sie eine Adresse ohne solche "
     "Zeichen oder fragen Sie Ihre IT-Abteilung, ob der Server SMTPUTF8 aktivieren kann."},
    {pb::DIAGNOSIS_CODE_MESSAGE_REJECTED, "", kError, "The server refused the test message",
     "Der Server hat die Testnachricht abgelehnt",
     "The SMTP server refused the test message (see the evidence for the step and the server's "
     "exact reply). Your IT department or email provider can tell from that reply which policy "
     "stopped it, for example a sender or recipient restriction or a content filter.",
     "Der SMTP-Server hat die Testnachricht abgelehnt (der Nachweis nennt den Schritt und die "
     "genaue Antwort des Servers). Ihre IT-Abteilung oder Ihr E-Mail-Anbieter kann anhand dieser "
     "Antwort feststellen, welche Richtlinie den Versand verhindert hat, zum Beispiel eine "
     "Einschränkung für Absende- oder Empfangsadressen oder ein Inhaltsfilter."},
    {pb::DIAGNOSIS_CODE_TEMPORARY_FAILURE, "", kWarning, "The server refused temporarily",
     "Der Server hat vorübergehend abgelehnt",
     "The server answered with a temporary error (a 4xx reply) that names no limit: it could "
     "not take the request right now, for example because of a local problem on its side. Try "
     "again in a few minutes. If the same answer keeps coming, your IT department or email "
     "provider must check the server; the evidence has its exact reply.",
     "Der Server hat mit einem vorübergehenden Fehler (einer 4xx-Antwort) geantwortet, der kein "
     "Limit nennt: Er konnte die Anfrage gerade nicht annehmen, z. B. wegen eines lokalen "
     "Problems. Versuchen Sie es in einigen Minuten erneut. Kommt immer wieder dieselbe Antwort, "
     "muss Ihre IT-Abteilung oder Ihr E-Mail-Anbieter den Server prüfen; der Nachweis enthält "
     "die genaue Antwort."},
    {pb::DIAGNOSIS_CODE_SENDER_RESTRICTED, "", kError,
     "Microsoft 365 blocks this account from sending",
     "Microsoft 365 sperrt den Versand für diesen Account",
     "Microsoft 365 has put the account on its list of restricted entities (\"bad outbound "
     "sender\"), usually because it sent messages that looked like spam, for example after the "
     "password was stolen. Until then it cannot send at all, whatever the channel's settings. "
     "An administrator must check the account (change its password if it was compromised) and "
     "release it from the restricted entities in the Microsoft Defender portal (Email & "
     "collaboration > Review > Restricted entities).",
     "Microsoft 365 hat den Account auf die Liste der eingeschränkten Entitäten gesetzt („bad "
     "outbound sender“), meist weil er Nachrichten gesendet hat, die wie Spam aussahen, z. B. "
     "nachdem das Passwort gestohlen wurde. Bis dahin kann er gar nicht senden, unabhängig von "
     "den Einstellungen des Kanals. Eine Person mit Admin-Rechten in Ihrer Organisation muss den "
     "Account prüfen (bei einem kompromittierten Account das Passwort ändern) und ihn im "
     "Microsoft Defender-Portal "
     "aus den eingeschränkten Entitäten freigeben (E-Mail und Zusammenarbeit > Überprüfen > "
     "Eingeschränkte Entitäten)."},
    {pb::DIAGNOSIS_CODE_OAUTH_TOKEN_ERROR, "", kError,
     "The provider refused to issue a token for the integration",
     "Der Anbieter hat kein Token für die Integration ausgestellt",
     "Google's or Microsoft's sign-in service refused to issue an access token for the direct "
     "integration, with an answer that names no known cause (the evidence has its exact "
     "words). Connect the direct integration again in the recruiting email settings. If the "
     "same answer comes again, your IT department can look up the error in the provider's "
     "sign-in logs.",
     "Der Anmeldedienst von Google bzw. Microsoft hat für die direkte Integration kein "
     "Zugriffstoken ausgestellt und dabei keine bekannte Ursache genannt (der Nachweis enthält "
     "die genaue Antwort). Verbinden Sie die direkte Integration in den Recruiting-E-Mail-"
     "Einstellungen erneut. Kommt dieselbe Antwort wieder, kann Ihre IT-Abteilung den Fehler in "
     "den Anmeldeprotokollen des Anbieters nachschlagen."},
    {pb::DIAGNOSIS_CODE_TLS_CERTIFICATE_EXPIRING, "", kWarning,
     "The server's certificate expires soon", "Das Zertifikat des Servers läuft bald ab",
     "The email server's certificate is valid today but expires soon (the evidence has the "
     "date). After that date the connection is refused and sending stops. The operator of the "
     "email server (your IT department or email provider) must renew the certificate before "
     "then; nothing about the channel needs to change.",
     "Das Zertifikat des E-Mail-Servers ist heute gültig, läuft aber bald ab (der Nachweis nennt "
     "das Datum). Danach wird die Verbindung abgelehnt und der Versand funktioniert nicht mehr. "
     "Wer den E-Mail-Server betreibt (Ihre IT-Abteilung oder Ihr E-Mail-Anbieter), muss das "
     "Zertifikat vorher erneuern; in den Recruiting-E-Mail-Einstellungen ist nichts zu ändern."},
    {pb::DIAGNOSIS_CODE_SMTP_OAUTH_UNAVAILABLE, "", kInfo,
     "Sending over SMTP with the integration's authorisation does not work",
     "Versand über SMTP mit der Berechtigung der Integration funktioniert nicht",
     "The direct integration sends through the Gmail API or Microsoft Graph, and that is what "
     "decides whether it works. Signing in to the provider's SMTP server with the same "
     "authorisation (XOAUTH2) did not work (see the evidence); this only matters for programs "
     "that send over SMTP with OAuth, not for the direct integration.",
     "Die direkte Integration sendet über die Gmail API bzw. Microsoft Graph, und davon hängt ab, "
     "ob sie funktioniert. Die Anmeldung am SMTP-Server des Anbieters mit derselben Berechtigung "
     "(XOAUTH2) hat nicht funktioniert (siehe Nachweis); das betrifft nur Programme, die über "
     "SMTP mit OAuth senden, nicht die direkte Integration. Für Ihren Kanal ist nichts zu tun."},
    {pb::DIAGNOSIS_CODE_AUTH_NOT_ATTEMPTED, "", kWarning, "The sign-in was not tested",
     "Die Anmeldung wurde nicht getestet",
     "The check did not send the username and password to the email server this time, so it "
     "cannot say whether they work (the evidence says why). Everything else was checked. Run "
     "the check again in a few minutes.",
     "Die Prüfung hat Benutzername und Passwort dieses Mal nicht an den E-Mail-Server gesendet "
     "und kann daher nicht sagen, ob sie stimmen (der Nachweis nennt den Grund). Alles andere "
     "wurde geprüft. Führen Sie die Prüfung in einigen Minuten erneut aus."},
    // Guidance of the help article that no probe produces; returned by ListDiagnoses.
    {pb::DIAGNOSIS_CODE_UNSPECIFIED, "check-setup", kInfo, "Check which sending option is active",
     "Einrichtung überprüfen: Welche Versandoption ist aktiv?",
     "Before anything else, find out which email settings you use: the direct integration with "
     "Google or Microsoft, SMTP, or the recruiting platform's own email service. Go to Settings "
     "> Recruiting > General. The Recruiting email settings section gives an overview of your "
     "current settings; scroll down to see which sending option is active, for example the "
     "Google integration.",
     "Prüfen Sie zunächst, welche Einstellungen Sie für den E-Mail-Versand haben: die direkte "
     "Integration mit Google oder Microsoft, SMTP oder den E-Mail-Dienst der Recruiting-"
     "Plattform. Navigieren Sie in den Einstellungen zu Recruiting > Allgemein. Im Bereich "
     "Recruiting-E-Mail-Einstellungen finden Sie einen Überblick über Ihre aktuellen "
     "E-Mail-Einstellungen. Scrollen Sie nach unten, um zu überprüfen, welche Versandoption "
     "aktiv ist, z. B. die Google-Integration."},
    {pb::DIAGNOSIS_CODE_UNSPECIFIED, "edit-needs-fallback", kInfo,
     "Switch to the platform's email service before editing the channel",
     "Vor dem Bearbeiten vorübergehend den E-Mail-Dienst der Plattform aktivieren",
     "To edit or update the email channel that is currently selected, for example your SMTP "
     "settings, you first need to activate another option temporarily. We recommend activating "
     "the recruiting platform's own email service until you have made the changes to your SMTP "
     "settings.",
     "Wenn Sie den aktuell gewählten E-Mail-Kanal bearbeiten oder aktualisieren möchten, z. B. "
     "Ihre SMTP-Einrichtung, müssen Sie zunächst vorübergehend eine andere Option aktivieren. "
     "Wir empfehlen, den E-Mail-Dienst der Recruiting-Plattform vorübergehend zu aktivieren, bis "
     "Sie die Änderungen an Ihren SMTP-Einstellungen vorgenommen haben."},
};

// More precise remediation where the evidence tells the cause apart. Columns: code, variant,
// remediation en, de, and optionally title en, de.
constexpr CatalogVariant kVariants[] = {
    {pb::DIAGNOSIS_CODE_TLS_MODE_MISMATCH, "plaintext-starttls-offered",
     "The channel is set to send without encryption, but the email server offers encryption "
     "(STARTTLS) on this port. The password was not sent, because it would have crossed the "
     "network in clear text, so the sign-in could not be checked. Set the encryption to STARTTLS "
     "(same port) in the recruiting email settings and check the channel again.",
     "Der Kanal ist ohne Verschlüsselung eingestellt, der E-Mail-Server bietet auf diesem Port "
     "aber Verschlüsselung (STARTTLS) an. Das Passwort wurde nicht gesendet, weil es "
     "unverschlüsselt übertragen worden wäre; die Anmeldung konnte daher nicht geprüft werden. "
     "Stellen Sie in den Recruiting-E-Mail-Einstellungen die Verschlüsselung auf STARTTLS "
     "(gleicher Port) und prüfen Sie den Kanal erneut.",
     "The server offers STARTTLS, the channel does not use it",
     "Der Server bietet STARTTLS an, der Kanal nutzt es nicht"},
    {pb::DIAGNOSIS_CODE_PLAINTEXT_CONNECTION, "auth-withheld",
     "The email server offers no encryption on this port (neither TLS nor STARTTLS), so the "
     "password was not sent: it would have crossed the network in clear text. The sign-in was "
     "not checked. Use the server's encrypted port (usually 587 with STARTTLS or 465 with TLS). "
     "If the server is an internal relay on a trusted network, the operator of the verification "
     "service can allow unencrypted sign-in to its addresses (--allow_plaintext_auth_cidrs).",
     "Der E-Mail-Server bietet auf diesem Port keine Verschlüsselung an (weder TLS noch "
     "STARTTLS), daher wurde das Passwort nicht gesendet: Es wäre unverschlüsselt übertragen "
     "worden. Die Anmeldung wurde nicht geprüft. Verwenden Sie den verschlüsselten Port des "
     "Servers (meist 587 mit STARTTLS oder 465 mit TLS). Ist der Server ein internes Relay in "
     "einem vertrauenswürdigen Netz, kann der Betrieb des Prüfdienstes die unverschlüsselte "
     "Anmeldung an seine Adressen erlauben (--allow_plaintext_auth_cidrs).",
     "Sign-in not checked: the connection is not encrypted",
     "Anmeldung nicht geprüft: Die Verbindung ist nicht verschlüsselt"},
    {pb::DIAGNOSIS_CODE_IP_NOT_ALLOWLISTED, "blocklist",
     "The server refused the recruiting platform's sending IP address because a public block "
     "list (DNSBL, for example Spamhaus or Barracuda) lists it; the evidence names the list. An "
     "allowlist on your side does not change that. Your IT department or email provider can "
     "exempt the platform's addresses ({egress_ips}) from the block-list check; tell our support "
     "team which list named which address, so that the listing can be removed.",
     "Der Server hat die sendende IP-Adresse der Recruiting-Plattform abgelehnt, weil eine "
     "öffentliche Sperrliste (DNSBL, z. B. Spamhaus oder Barracuda) sie führt; der Nachweis nennt "
     "die Liste. Eine Freigabe auf Ihrer Seite ändert daran nichts. Ihre IT-Abteilung oder Ihr "
     "E-Mail-Anbieter kann die Adressen der Plattform ({egress_ips}) von der Prüfung gegen "
     "Sperrlisten ausnehmen; teilen Sie unserem Support-Team mit, welche Liste welche Adresse "
     "nennt, damit der Eintrag entfernt werden kann.",
     "A block list lists the sending IP address", "Eine Sperrliste führt die sendende IP-Adresse"},
    {pb::DIAGNOSIS_CODE_MESSAGE_REJECTED, "sender-refused",
     "The server refused the sender address at MAIL FROM with a reply that names no known cause "
     "(the evidence has its exact words). Check that the sender address is an address of the "
     "signed-in account, or one it may send as; your IT department or email provider can tell "
     "from the reply which rule refused it.",
     "Der Server hat die Absendeadresse bei MAIL FROM mit einer Antwort abgelehnt, die keine "
     "bekannte Ursache nennt (der Nachweis enthält die genaue Antwort). Prüfen Sie, ob die "
     "Absendeadresse eine Adresse des angemeldeten Accounts ist oder eine, mit der er senden "
     "darf; Ihre IT-Abteilung oder Ihr E-Mail-Anbieter kann anhand der Antwort feststellen, "
     "welche Regel sie abgelehnt hat.",
     "The server refused the sender address", "Der Server hat die Absendeadresse abgelehnt"},
    {pb::DIAGNOSIS_CODE_GOOGLE_SMTP_UNSUPPORTED, "working",
     "The SMTP connection to Google works today, but Google is ending password sign-in for SMTP. "
     "You need to switch to the direct integration with Google: set it up before Google turns "
     "the SMTP sign-in off, so that sending does not stop.",
     "Die SMTP-Verbindung zu Google funktioniert derzeit, aber Google beendet die Anmeldung mit "
     "Passwort für SMTP. Sie müssen zur direkten Integration mit Google wechseln: Richten Sie "
     "sie ein, bevor Google die SMTP-Anmeldung abschaltet, damit der Versand nicht ausfällt.",
     "Google SMTP works for now: the switch to the direct integration is required",
     "Google SMTP funktioniert noch: Der Wechsel zur direkten Integration ist nötig"},
    {pb::DIAGNOSIS_CODE_EXTERNAL_APPS_BLOCKED, "app-password",
     "With this email provider, external programs may only sign in once the account allows "
     "them, often with a password of their own (an app password) instead of the account "
     "password. GMX and WEB.DE: in the web mailer's settings, allow access through POP3/IMAP "
     "and SMTP (\"external programs\"). T-Online: create an email password in the customer "
     "centre and use it here. Yahoo, iCloud, Outlook.com and Google: create an app password in "
     "the account's security settings (2-step verification must be on). Then enter that "
     "password in the recruiting email settings.",
     "Bei diesem E-Mail-Anbieter dürfen sich externe Programme erst anmelden, wenn der Account "
     "sie zulässt, oft mit einem eigenen Passwort (App-Passwort) statt des Account-Passworts. "
     "GMX und WEB.DE: Erlauben Sie in den Einstellungen des Webmailers den Zugriff über "
     "POP3/IMAP und SMTP („externe Programme“). T-Online: Legen Sie im Kundencenter ein "
     "E-Mail-Passwort an und verwenden Sie dieses. Yahoo, iCloud, Outlook.com und Google: "
     "Erstellen Sie in den Sicherheitseinstellungen des Accounts ein App-Passwort (dafür muss "
     "die Bestätigung in zwei Schritten aktiv sein). Tragen Sie dieses Passwort anschließend in "
     "den Recruiting-E-Mail-Einstellungen ein.",
     "External programs may need to be allowed, or an app password",
     "Externe Programme müssen eventuell zugelassen werden, oder ein App-Passwort"},
    {pb::DIAGNOSIS_CODE_OAUTH_CONSENT_REQUIRED, "resource-not-found",
     "Microsoft does not find the service the integration calls (Exchange Online) in your "
     "organisation (AADSTS500011). Either the organisation has no Exchange Online, so the "
     "account has no licence with a mailbox, or an administrator has not yet consented to the "
     "integration's app. Assign the account a licence that includes Exchange Online, have an "
     "administrator grant consent, and connect the integration again.",
     "Microsoft findet den Dienst, den die Integration aufruft (Exchange Online), in Ihrer "
     "Organisation nicht (AADSTS500011). Entweder hat die Organisation kein Exchange Online, der "
     "Account also keine Lizenz mit Postfach, oder eine Person mit Admin-Rechten hat der App der "
     "Integration noch nicht zugestimmt. Weisen Sie dem Account eine Lizenz mit Exchange Online "
     "zu, lassen Sie der App zustimmen und verbinden Sie die Integration erneut.",
     "Exchange Online was not found in the organisation",
     "Exchange Online wurde in der Organisation nicht gefunden"},
    {pb::DIAGNOSIS_CODE_OAUTH_GRANT_INVALID, "credentials",
     "Microsoft refused the account's sign-in because its username or password is wrong "
     "(AADSTS50126), for example after a password change. Connect the direct integration again "
     "and sign in with the account's current password.",
     "Microsoft hat die Anmeldung des Accounts abgelehnt, weil Nutzendenname oder Passwort "
     "falsch sind (AADSTS50126), z. B. nach einer Passwortänderung. Verbinden Sie die direkte "
     "Integration erneut und melden Sie sich mit dem aktuellen Passwort des Accounts an.",
     "Microsoft refused the account's sign-in",
     "Microsoft hat die Anmeldung des Accounts abgelehnt"},
    {pb::DIAGNOSIS_CODE_SMTP_OAUTH_UNAVAILABLE, "smtp-auth-disabled",
     "SMTP AUTH is disabled for this Microsoft 365 mailbox or organisation, so signing in to "
     "Microsoft's SMTP server with the integration's authorisation fails. The direct integration "
     "does not need SMTP AUTH: it sends through Microsoft Graph. Nothing needs to change for it.",
     "SMTP AUTH ist für dieses Microsoft-365-Postfach oder die Organisation deaktiviert, daher "
     "scheitert die Anmeldung am SMTP-Server von Microsoft mit der Berechtigung der Integration. "
     "Die direkte Integration braucht SMTP AUTH nicht: Sie sendet über Microsoft Graph. Für sie "
     "muss nichts geändert werden.",
     "SMTP AUTH is off; the direct integration does not need it",
     "SMTP AUTH ist aus; die direkte Integration braucht es nicht"},
    {pb::DIAGNOSIS_CODE_SERVER_PROTOCOL_ERROR, "dropped-after-data",
     "The connection ended after the whole message had been handed to the server, before its "
     "final answer. The server may or may not have queued the message; it was not sent again. "
     "Check whether it arrived before you send another test; if this repeats, your IT "
     "department must check the server.",
     "Die Verbindung endete, nachdem die ganze Nachricht an den Server übergeben war, aber vor "
     "seiner abschließenden Antwort. Der Server hat die Nachricht möglicherweise angenommen; sie "
     "wurde nicht noch einmal gesendet. Prüfen Sie, ob sie angekommen ist, bevor Sie einen "
     "weiteren Test senden; wiederholt sich das, muss Ihre IT-Abteilung den Server prüfen.",
     "The connection ended before the server confirmed the message",
     "Die Verbindung endete, bevor der Server die Nachricht bestätigt hat"},
    {pb::DIAGNOSIS_CODE_M365_SMTP_AUTH_DISABLED, "tenant",
     "Microsoft reports that SMTP AUTH (SmtpClientAuthentication) is disabled for your whole "
     "organisation (tenant). We recommend switching to the direct integration with Microsoft. "
     "Alternatively, your IT department can enable SMTP AUTH for the organisation (Exchange "
     "admin center > Settings > Mail flow, or Set-TransportConfig "
     "-SmtpClientAuthenticationDisabled $false) and make sure it is not disabled for this "
     "mailbox.",
     "Microsoft meldet, dass SMTP AUTH (SmtpClientAuthentication) für Ihre gesamte Organisation "
     "(Mandant) deaktiviert ist. Wir empfehlen, zu unserer direkten Integration mit Microsoft zu "
     "wechseln. Alternativ kann Ihre IT-Abteilung SMTP AUTH für die Organisation aktivieren "
     "(Exchange Admin Center > Einstellungen > Nachrichtenfluss oder Set-TransportConfig "
     "-SmtpClientAuthenticationDisabled $false) und sicherstellen, dass es für dieses Postfach "
     "nicht deaktiviert ist.",
     "SMTP AUTH is disabled for your Microsoft 365 organisation",
     "SMTP AUTH ist für Ihre Microsoft-365-Organisation deaktiviert"},
    {pb::DIAGNOSIS_CODE_M365_SMTP_AUTH_DISABLED, "mailbox",
     "Microsoft reports that SMTP AUTH is disabled for this mailbox. We recommend switching to "
     "the direct integration with Microsoft. Alternatively, your IT department can enable it in "
     "the Microsoft 365 admin center (Users > Active users > select the user > Mail > Manage "
     "email apps > Authenticated SMTP) or with Set-CASMailbox -SmtpClientAuthenticationDisabled "
     "$false.",
     "Microsoft meldet, dass SMTP AUTH für dieses Postfach deaktiviert ist. Wir empfehlen, zu "
     "unserer direkten Integration mit Microsoft zu wechseln. Alternativ kann Ihre IT-Abteilung "
     "es im Microsoft 365 Admin Center aktivieren (Benutzer > Aktive Benutzer > Benutzer "
     "auswählen > E-Mail > E-Mail-Apps verwalten > Authentifiziertes SMTP) oder mit "
     "Set-CASMailbox "
     "-SmtpClientAuthenticationDisabled $false.",
     "SMTP AUTH is disabled for this Microsoft 365 mailbox",
     "SMTP AUTH ist für dieses Microsoft-365-Postfach deaktiviert"},
    {pb::DIAGNOSIS_CODE_INVALID_CREDENTIALS, "ms-ambiguous",
     "Microsoft answered 535 5.7.3, which it sends for several causes, not only for a wrong "
     "password. Check in this order: the username and password are correct and up to date "
     "(update them on the email server and in the recruiting email settings); SMTP AUTH is "
     "enabled for your organisation and for this mailbox; the address is not a shared mailbox "
     "(it needs its own licence and login); multi-factor authentication, security defaults or a "
     "conditional access policy do not block signing in with a password. We recommend switching "
     "to the direct integration with Microsoft.",
     "Microsoft hat mit 535 5.7.3 geantwortet. Diese Antwort kann mehrere Ursachen haben, nicht "
     "nur ein falsches Passwort. Prüfen Sie nacheinander: ob Nutzendenname und Passwort stimmen "
     "und aktuell sind (aktualisieren Sie sie auf dem E-Mail-Server und in den "
     "Recruiting-E-Mail-Einstellungen); ob SMTP AUTH für Ihre Organisation und für dieses "
     "Postfach aktiviert ist; ob die Adresse kein freigegebenes Postfach ist (sie braucht eine "
     "eigene Lizenz und eigene Login-Zugriffsdaten); ob Multi-Faktor-Authentifizierung, die "
     "Standard-Sicherheitseinstellungen oder eine Richtlinie für bedingten Zugriff die Anmeldung "
     "mit Passwort blockieren. Wir empfehlen, zu unserer direkten Integration mit Microsoft zu "
     "wechseln.",
     "Microsoft rejected the sign-in", "Microsoft hat die Anmeldung abgelehnt"},
    {pb::DIAGNOSIS_CODE_INVALID_CREDENTIALS, "google",
     "Google did not accept the username and password. Note that Google no longer accepts "
     "passwords for new SMTP connections, so even correct access data can be rejected: you need "
     "to set up the direct integration with Google. For an existing SMTP connection, update the "
     "access data on the email server and in the recruiting email settings (with 2-Step "
     "Verification, use an app password).",
     "Google hat Nutzendenname und Passwort nicht akzeptiert. Beachten Sie: Google akzeptiert für "
     "neue SMTP-Verbindungen keine Passwörter mehr, daher können auch korrekte Zugriffsdaten "
     "abgelehnt werden. Sie müssen die direkte Integration mit Google einrichten. Für eine "
     "bestehende SMTP-Verbindung aktualisieren Sie die Zugriffsdaten auf dem E-Mail-Server und "
     "in den Recruiting-E-Mail-Einstellungen (bei aktiver Bestätigung in zwei Schritten mit "
     "einem App-Passwort)."},
    {pb::DIAGNOSIS_CODE_INVALID_CREDENTIALS, "ms-xoauth2",
     "Microsoft did not accept the OAuth token for SMTP. Check that SMTP AUTH is enabled for "
     "this mailbox (Microsoft requires it for OAuth over SMTP, too), that the token was issued "
     "for this mailbox with the SMTP.Send permission, and that the mailbox is licensed and not a "
     "shared mailbox.",
     "Microsoft hat das OAuth-Token für SMTP nicht akzeptiert. Prüfen Sie, ob SMTP AUTH für "
     "dieses Postfach aktiviert ist (Microsoft verlangt dies auch für OAuth über SMTP), ob das "
     "Token für dieses Postfach mit der Berechtigung SMTP.Send ausgestellt wurde und ob das "
     "Postfach lizenziert und kein freigegebenes Postfach ist.",
     "Microsoft rejected the OAuth token", "Microsoft hat das OAuth-Token abgelehnt"},
    {pb::DIAGNOSIS_CODE_PROVIDER_SMTP_RETIRING, "microsoft-basic-auth-ending",
     "The connection works today. Microsoft is switching basic authentication (username and "
     "password) for SMTP client submission off by default at the end of 2026; after that it "
     "works only where an administrator has turned it on again. We recommend switching to the "
     "direct integration with Microsoft, which does not depend on it.",
     "Die Verbindung funktioniert derzeit. Microsoft schaltet die Standardauthentifizierung "
     "(Nutzendenname und Passwort) für den Versand über SMTP Ende 2026 standardmäßig ab; danach "
     "funktioniert sie nur dort, wo eine Person mit Admin-Rechten sie wieder eingeschaltet hat. "
     "Wir empfehlen Ihnen, zu unserer direkten Integration mit Microsoft zu wechseln, die nicht "
     "davon abhängt.",
     "Microsoft is switching off password sign-in for SMTP",
     "Microsoft schaltet die Anmeldung mit Passwort für SMTP ab"},
    {pb::DIAGNOSIS_CODE_PROVIDER_SMTP_RETIRING, "basic-auth-disabled",
     "Microsoft refuses basic authentication (username and password) for SMTP on this account, "
     "so the SMTP connection can no longer send. We recommend switching to the direct "
     "integration with Microsoft. Until Microsoft switches basic authentication off for good, "
     "your IT department can check whether an authentication policy blocks basic "
     "authentication for SMTP.",
     "Microsoft lehnt die Standardauthentifizierung (Nutzendenname und Passwort) für SMTP bei "
     "diesem Account ab, daher kann über die SMTP-Verbindung nicht mehr gesendet werden. Wir "
     "empfehlen, zu unserer direkten Integration mit Microsoft zu wechseln. Bis Microsoft die "
     "Standardauthentifizierung endgültig abschaltet, kann Ihre IT-Abteilung prüfen, ob eine "
     "Authentifizierungsrichtlinie Basic Auth für SMTP blockiert.",
     "Microsoft has switched off password sign-in for SMTP",
     "Microsoft hat die Anmeldung mit Passwort für SMTP abgeschaltet"},
    // The direct integration (OAuth).
    {pb::DIAGNOSIS_CODE_OAUTH_GRANT_INVALID, "access-token",
     "The provider rejected the access token: it has expired or was revoked (access tokens are "
     "valid for about an hour). Connect the direct integration again in the recruiting email "
     "settings so that the platform holds a valid authorisation.",
     "Der Anbieter hat das Zugriffstoken abgelehnt: Es ist abgelaufen oder wurde widerrufen "
     "(Zugriffstoken gelten etwa eine Stunde). Verbinden Sie die direkte Integration in den "
     "Recruiting-E-Mail-Einstellungen erneut, damit die Plattform eine gültige Berechtigung hat."},
    {pb::DIAGNOSIS_CODE_EXTERNAL_APPS_BLOCKED, "google-oauth",
     "Your Google Workspace administrator restricts which third-party apps may access Google "
     "data, and the recruiting platform's app is not allowed (admin_policy_enforced). In the "
     "Google Admin console (Security > Access and data control > API controls), mark the app as "
     "trusted, then connect the direct integration again.",
     "Ihre Google-Workspace-Administration schränkt ein, welche Apps von Drittanbietern auf "
     "Google-Daten zugreifen dürfen, und die App der Recruiting-Plattform ist nicht zugelassen "
     "(admin_policy_enforced). Markieren Sie die App in der Google Admin-Konsole (Sicherheit > "
     "Zugriffs- und Datenkontrolle > API-Steuerung) als vertrauenswürdig und verbinden Sie die "
     "direkte Integration anschließend erneut.",
     "Google Workspace does not allow the integration's app",
     "Google Workspace lässt die App der Integration nicht zu"},
    {pb::DIAGNOSIS_CODE_MAILBOX_NOT_FOUND, "tenant",
     "Microsoft does not know the organisation (tenant) given for the direct integration. Check "
     "the tenant ID or domain, or leave it empty, and connect the direct integration again.",
     "Microsoft kennt die für die direkte Integration angegebene Organisation (Mandant) nicht. "
     "Prüfen Sie die Mandanten-ID bzw. Domain oder lassen Sie sie leer, und verbinden Sie die "
     "direkte Integration erneut.",
     "The Microsoft 365 organisation was not found",
     "Die Microsoft-365-Organisation wurde nicht gefunden"},
    // SendTest through the direct integration (Gmail API, Microsoft Graph).
    {pb::DIAGNOSIS_CODE_MESSAGE_REJECTED, "api",
     "Google or Microsoft refused the test message sent through the direct integration (the "
     "evidence has the exact answer of their API). Your IT department can tell from that answer "
     "which setting or policy stopped it.",
     "Google bzw. Microsoft hat die über die direkte Integration gesendete Testnachricht abgelehnt "
     "(der Nachweis enthält die genaue Antwort ihrer API). Ihre IT-Abteilung kann anhand dieser "
     "Antwort feststellen, welche Einstellung oder Richtlinie den Versand verhindert hat.",
     "The provider refused the test message", "Der Anbieter hat die Testnachricht abgelehnt"},
    {pb::DIAGNOSIS_CODE_MESSAGE_REJECTED, "api-server-error",
     "The provider's API failed with a server error while taking the test message of the direct "
     "integration. That says nothing about your channel's settings; the message was not sent "
     "again. Check whether it arrived before you send another test, and try again in a few "
     "minutes; if it keeps happening, check the provider's service status.",
     "Die API des Anbieters ist bei der Annahme der Testnachricht der direkten Integration mit "
     "einem Serverfehler gescheitert. Das sagt nichts über die Einstellungen Ihres Kanals aus; die "
     "Nachricht wurde nicht noch einmal gesendet. Prüfen Sie, ob sie angekommen ist, bevor Sie "
     "einen weiteren Test senden, und versuchen Sie es in einigen Minuten erneut; tritt der Fehler "
     "weiter auf, prüfen Sie den Dienststatus des Anbieters.",
     "The provider could not take the test message",
     "Der Anbieter konnte die Testnachricht nicht annehmen"},
    {pb::DIAGNOSIS_CODE_MESSAGE_REJECTED, "invalid-recipient",
     "The provider does not accept the recipient address of the test message sent through the "
     "direct integration. Check the address for typing errors and send the test to an existing "
     "mailbox.",
     "Der Anbieter akzeptiert die Empfangsadresse der über die direkte Integration gesendeten "
     "Testnachricht nicht. Prüfen Sie die Adresse auf Tippfehler und senden Sie den Test an ein "
     "bestehendes Postfach.",
     "The recipient address was refused", "Die Empfangsadresse wurde abgelehnt"},
    {pb::DIAGNOSIS_CODE_SERVER_THROTTLING, "sending-limit",
     "The mailbox has reached its provider's sending limit (for example the daily limits of Google "
     "Workspace or Exchange Online, which count every message of the mailbox, whichever app sends "
     "it, the direct integration included). Such a limit lasts for hours, up to a day: send no "
     "further tests until then. If the mailbox regularly reaches it, your IT department must check "
     "how much it sends.",
     "Das Postfach hat das Versandlimit seines Anbieters erreicht (zum Beispiel die Tageslimits "
     "von Google Workspace oder Exchange Online, die jede Nachricht des Postfachs zählen, gleich "
     "welche App sie sendet, auch die direkte Integration). Ein solches Limit gilt für Stunden, "
     "bis zu einem Tag: Senden Sie bis dahin keine weiteren Tests. Erreicht das Postfach es "
     "regelmäßig, muss Ihre IT-Abteilung prüfen, wie viel es sendet.",
     "The mailbox has reached its sending limit", "Das Postfach hat sein Versandlimit erreicht"},
    {pb::DIAGNOSIS_CODE_MAILBOX_NOT_FOUND, "token-other-account",
     "The direct integration's authorisation belongs to another account than the configured "
     "address. Connect the direct integration again, signed in with the mailbox that should "
     "send.",
     "Die Berechtigung der direkten Integration gehört zu einem anderen Account als der "
     "eingestellten Adresse. Verbinden Sie die direkte Integration erneut und melden Sie sich "
     "dabei mit dem Postfach an, das senden soll.",
     "The authorisation belongs to another account",
     "Die Berechtigung gehört zu einem anderen Account"},
};

// The article's edit case ("edit-needs-fallback"): the active channel can only be edited once
// another sending option is active. The remediations of these codes ask to change the channel
// (its settings, its account, or the channel itself), so they start with that step.
constexpr DiagnosisCode kChangesChannel[] = {
    pb::DIAGNOSIS_CODE_GOOGLE_SMTP_UNSUPPORTED,
    pb::DIAGNOSIS_CODE_PROVIDER_SMTP_RETIRING,
    pb::DIAGNOSIS_CODE_SHARED_MAILBOX,
    pb::DIAGNOSIS_CODE_EXTERNAL_APPS_BLOCKED,
    pb::DIAGNOSIS_CODE_INVALID_CREDENTIALS,
    pb::DIAGNOSIS_CODE_M365_SMTP_AUTH_DISABLED,
    pb::DIAGNOSIS_CODE_ENTRA_SECURITY_DEFAULTS,
    pb::DIAGNOSIS_CODE_INTEGRATION_SHARED_MAILBOX,
    pb::DIAGNOSIS_CODE_INTEGRATION_NOT_ADMIN,
    pb::DIAGNOSIS_CODE_INTEGRATION_NOT_LICENSED,
    pb::DIAGNOSIS_CODE_DNS_NAME_NOT_FOUND,
    pb::DIAGNOSIS_CODE_CONNECTION_REFUSED,
    pb::DIAGNOSIS_CODE_TLS_MODE_MISMATCH,
    pb::DIAGNOSIS_CODE_STARTTLS_NOT_OFFERED,
    pb::DIAGNOSIS_CODE_TLS_CERTIFICATE_INVALID,
    pb::DIAGNOSIS_CODE_PLAINTEXT_CONNECTION,
    pb::DIAGNOSIS_CODE_AUTH_NOT_OFFERED,
    pb::DIAGNOSIS_CODE_AUTH_REQUIRED,
    pb::DIAGNOSIS_CODE_AUTH_MECHANISM_UNSUPPORTED,
    pb::DIAGNOSIS_CODE_MFA_OR_CONDITIONAL_ACCESS,
    pb::DIAGNOSIS_CODE_ACCOUNT_LOCKED,
    pb::DIAGNOSIS_CODE_ACCOUNT_DISABLED,
    pb::DIAGNOSIS_CODE_SEND_AS_DENIED,
    pb::DIAGNOSIS_CODE_RELAY_DENIED,
    pb::DIAGNOSIS_CODE_OAUTH_GRANT_INVALID,
    pb::DIAGNOSIS_CODE_OAUTH_CONSENT_REQUIRED,
    pb::DIAGNOSIS_CODE_OAUTH_SCOPE_MISSING,
    pb::DIAGNOSIS_CODE_MAILBOX_NOT_FOUND,
    pb::DIAGNOSIS_CODE_TARGET_FORBIDDEN,
    pb::DIAGNOSIS_CODE_WRONG_PORT_OR_TLS_MODE,
    pb::DIAGNOSIS_CODE_PROVIDER_MISMATCH,
    pb::DIAGNOSIS_CODE_DIRECT_INTEGRATION_RECOMMENDED,
    pb::DIAGNOSIS_CODE_SMTPUTF8_UNSUPPORTED,
    pb::DIAGNOSIS_CODE_OAUTH_TOKEN_ERROR,
};

constexpr std::string_view kEditFirstEn =
    "While you change the channel, first switch the sending option temporarily to the "
    "recruiting platform's own email service (Settings > Recruiting > General), and switch back "
    "once the channel works. ";
constexpr std::string_view kEditFirstDe =
    "Aktivieren Sie vorübergehend den E-Mail-Dienst der Recruiting-Plattform (Einstellungen > "
    "Recruiting > Allgemein), bis Sie die Änderungen am Kanal vorgenommen haben, und wechseln Sie "
    "zurück, sobald er funktioniert. ";

// The article's escalation path, in its words.
constexpr std::string_view kEscalationEn =
    "If the problem remains, contact our support team and tell them which of the suggested "
    "solutions you have already tried.";
constexpr std::string_view kEscalationDe =
    "Wenn Sie weiterhin Probleme haben, wenden Sie sich an unser Support-Team. Teilen Sie ihm "
    "mit, ob Sie die vorgeschlagenen Lösungen bereits ausprobiert haben.";

constexpr std::string_view kEgressIpsPlaceholder = "{egress_ips}";

std::string Fill(std::string_view text, const RenderContext& ctx) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (true) {
    const size_t at = text.find(kEgressIpsPlaceholder, pos);
    out.append(text.substr(pos, at == std::string_view::npos ? std::string_view::npos : at - pos));
    if (at == std::string_view::npos) break;
    bool first = true;
    for (const std::string& ip : EgressIps(ctx)) {
      if (!first) out.append(", ");
      out.append(ip);
      first = false;
    }
    pos = at + kEgressIpsPlaceholder.size();
  }
  return out;
}

bool ChangesChannel(DiagnosisCode code) {
  for (DiagnosisCode c : kChangesChannel) {
    if (c == code) return true;
  }
  return false;
}

}  // namespace

bool RemediationChangesChannel(DiagnosisCode code) { return ChangesChannel(code); }

std::string_view EditFirstStep(Lang lang) {
  return lang == Lang::kDe ? kEditFirstDe : kEditFirstEn;
}

std::string_view Escalation(Lang lang) { return lang == Lang::kDe ? kEscalationDe : kEscalationEn; }

namespace {

std::string RenderRemediation(DiagnosisCode code, std::string_view text, Lang lang,
                              const RenderContext& ctx) {
  std::string out;
  if (ChangesChannel(code)) out.append(EditFirstStep(lang));
  out.append(Fill(text, ctx));
  return out;
}

}  // namespace

std::string EgressRange(std::string_view ip) {
  std::string range(ip);
  if (ip.find('/') == std::string_view::npos) {
    range += ip.find(':') == std::string_view::npos ? "/32" : "/128";
  }
  return range;
}

std::span<const std::string> DefaultEgressIps() {
  static const auto* ranges = [] {
    auto* out = new std::vector<std::string>;
    for (absl::string_view ip : absl::StrSplit(kArticleEgressIps, ',')) {
      out->push_back(EgressRange(std::string_view(ip.data(), ip.size())));
    }
    return out;
  }();
  return *ranges;
}

std::vector<std::string> EgressIps(const RenderContext& ctx) {
  if (!ctx.egress_ips.empty()) return ctx.egress_ips;
  const std::span<const std::string> defaults = DefaultEgressIps();
  return {defaults.begin(), defaults.end()};
}

std::span<const CatalogEntry> Catalog() { return kCatalog; }

std::span<const CatalogVariant> CatalogVariants() { return kVariants; }

const CatalogEntry* FindEntry(DiagnosisCode code) {
  if (code == pb::DIAGNOSIS_CODE_UNSPECIFIED) return nullptr;
  for (const CatalogEntry& entry : kCatalog) {
    if (entry.code == code) return &entry;
  }
  return nullptr;
}

const CatalogEntry* FindCase(std::string_view documented_case) {
  if (documented_case.empty()) return nullptr;
  for (const CatalogEntry& entry : kCatalog) {
    if (entry.documented_case == documented_case) return &entry;
  }
  return nullptr;
}

const CatalogVariant* FindVariant(DiagnosisCode code, std::string_view variant) {
  if (variant.empty()) return nullptr;
  for (const CatalogVariant& v : kVariants) {
    if (v.code == code && v.variant == variant) return &v;
  }
  return nullptr;
}

channelverify::v1::CatalogEntry RenderEntry(const CatalogEntry& entry, Lang lang,
                                            const RenderContext& ctx) {
  const bool de = lang == Lang::kDe;
  channelverify::v1::CatalogEntry out;
  out.set_code(entry.code);
  out.set_documented_case(std::string(entry.documented_case));
  out.set_severity(entry.severity);
  out.set_title(Fill(de ? entry.title_de : entry.title_en, ctx));
  out.set_remediation(
      RenderRemediation(entry.code, de ? entry.remediation_de : entry.remediation_en, lang, ctx));
  out.set_escalation(std::string(Escalation(lang)));
  if (entry.code == pb::DIAGNOSIS_CODE_UNSPECIFIED) return out;
  for (const CatalogVariant& v : kVariants) {
    if (v.code != entry.code) continue;
    auto* variant = out.add_variants();
    variant->set_variant(std::string(v.variant));
    const std::string_view title = de ? v.title_de : v.title_en;
    variant->set_title(title.empty() ? out.title() : Fill(title, ctx));
    variant->set_remediation(
        RenderRemediation(v.code, de ? v.remediation_de : v.remediation_en, lang, ctx));
  }
  return out;
}

channelverify::v1::Diagnosis Render(const Finding& finding, Lang lang, const RenderContext& ctx) {
  const bool de = lang == Lang::kDe;
  channelverify::v1::Diagnosis out;
  out.set_code(finding.code);
  out.set_confidence(finding.confidence);
  out.set_probe(finding.probe);
  for (const std::string& e : finding.evidence) out.add_evidence(e);
  Severity severity = finding.severity;
  // A finding without an entry (a bug upstream) still reaches the caller with its evidence.
  if (const CatalogEntry* entry = FindEntry(finding.code)) {
    if (severity == pb::SEVERITY_UNSPECIFIED) severity = entry->severity;
    out.set_documented_case(std::string(entry->documented_case));
    std::string_view title = de ? entry->title_de : entry->title_en;
    std::string_view remediation = de ? entry->remediation_de : entry->remediation_en;
    // An unknown variant name falls back to the general text rather than to nothing.
    if (const CatalogVariant* v = FindVariant(finding.code, finding.variant)) {
      remediation = de ? v->remediation_de : v->remediation_en;
      const std::string_view variant_title = de ? v->title_de : v->title_en;
      if (!variant_title.empty()) title = variant_title;
      out.set_variant(std::string(v->variant));
    }
    out.set_title(Fill(title, ctx));
    out.set_remediation(RenderRemediation(finding.code, remediation, lang, ctx));
    out.set_escalation(std::string(Escalation(lang)));
  }
  out.set_severity(severity);
  return out;
}

}  // namespace cv::diagnosis
