#include "report_labels.h"

namespace channelverify::report {
namespace {

constexpr Labels kEn = {
    .lang = "en",
    .verify_title = "Mail channel check",
    .send_title = "Test message through a mail channel",
    .one_diagnosis = "1 diagnosis",
    .diagnoses_count = "diagnoses",
    .channel = "Channel as entered",
    .result = "Result",
    .diagnoses = "Diagnoses",
    .timeline = "Timeline",
    .steps = "Steps",
    .settings = "Settings tried",
    .transcripts = "Transcripts",
    .about = "About this report",
    .port_in_text = "port",
    .kind = "Kind",
    .server = "Server",
    .port = "Port",
    .encryption = "Encryption",
    .username = "Username",
    .sender = "Sender",
    .password = "Password",
    .provider = "Provider",
    .account = "Account",
    .tenant = "Tenant",
    .token = "Token",
    .recipient = "Recipient",
    .request_id = "Request id",
    .secret_given = "given (never shown in a report)",
    .secret_none = "none",
    .refresh_token_given = "refresh token given (never shown in a report)",
    .access_token_given = "access token given (never shown in a report)",
    .pass = "The channel works",
    .warn = "The channel works, but something should be changed",
    .fail = "The channel does not work",
    .unknown = "No verdict",
    .accepted = "The server accepted the test message",
    .not_accepted = "The test message was not accepted",
    .server_reply = "Server reply",
    .message_id = "Message-ID",
    .documented_case = "Documented case",
    .what_to_do = "What to do",
    .escalation = "If that does not help",
    .evidence = "Evidence",
    .probe = "Step",
    .likely = "likely, not proven",
    .error = "error",
    .warning = "warning",
    .info = "note",
    .no_diagnoses = "Nothing to fix: no diagnosis.",
    .no_settings = "Only the configured setting was tried.",
    .no_transcript = "No connection was made.",
    .setting = "Setting",
    .outcome = "What it gave",
    .configured = "as configured",
    .alternative = "alternative",
    .works = "works",
    .failed_at = "failed at",
    .suggested = "suggested: use this setting",
    .not_reached = "not reached",
    .step = "Step",
    .status = "Status",
    .start = "Start",
    .duration = "Duration",
    .target = "Target",
    .detail = "Detail",
    .ok = "ok",
    .failed = "failed",
    .timed_out = "timed out",
    .skipped = "skipped",
    .made_at = "Made at",
    .made_from = "From the service's egress IPs",
    .made_by = "Made by",
    .not_known = "not known",
    .elapsed = "Duration of the check",
    .detected_provider = "Provider recognised",
    .egress_note =
        "the addresses mail servers saw this check come from; allowlists must admit them",
    .timeline_note =
        "Each bar is one step, from its start to its end; bars side by side ran at "
        "the same time.",
    .secrets_note =
        "Passwords and tokens are never part of this report; server replies are "
        "shown redacted.",
    .starttls = "STARTTLS",
    .implicit_tls = "implicit TLS",
    .no_tls = "no TLS",
};

constexpr Labels kDe = {
    .lang = "de",
    .verify_title = "Prüfung des E-Mail-Kanals",
    .send_title = "Testnachricht über den E-Mail-Kanal",
    .one_diagnosis = "1 Diagnose",
    .diagnoses_count = "Diagnosen",
    .channel = "Kanal wie eingegeben",
    .result = "Ergebnis",
    .diagnoses = "Diagnosen",
    .timeline = "Zeitachse",
    .steps = "Schritte",
    .settings = "Ausprobierte Einstellungen",
    .transcripts = "Protokolle der Verbindungen",
    .about = "Zu diesem Bericht",
    .port_in_text = "Port",
    .kind = "Art",
    .server = "Server",
    .port = "Port",
    .encryption = "Verschlüsselung",
    .username = "Benutzername",
    .sender = "Absender",
    .password = "Passwort",
    .provider = "Anbieter",
    .account = "Konto",
    .tenant = "Mandant",
    .token = "Token",
    .recipient = "Empfänger",
    .request_id = "Anfrage-ID",
    .secret_given = "angegeben (wird in keinem Bericht gezeigt)",
    .secret_none = "keines",
    .refresh_token_given = "Refresh-Token angegeben (wird in keinem Bericht gezeigt)",
    .access_token_given = "Access-Token angegeben (wird in keinem Bericht gezeigt)",
    .pass = "Der Kanal funktioniert",
    .warn = "Der Kanal funktioniert, aber etwas sollte geändert werden",
    .fail = "Der Kanal funktioniert nicht",
    .unknown = "Kein Ergebnis",
    .accepted = "Der Server hat die Testnachricht angenommen",
    .not_accepted = "Die Testnachricht wurde nicht angenommen",
    .server_reply = "Antwort des Servers",
    .message_id = "Message-ID",
    .documented_case = "Dokumentierter Fall",
    .what_to_do = "Was tun",
    .escalation = "Wenn das nicht hilft",
    .evidence = "Belege",
    .probe = "Schritt",
    .likely = "wahrscheinlich, nicht bewiesen",
    .error = "Fehler",
    .warning = "Warnung",
    .info = "Hinweis",
    .no_diagnoses = "Nichts zu beheben: keine Diagnose.",
    .no_settings = "Nur die eingestellte Verbindung wurde geprüft.",
    .no_transcript = "Es wurde keine Verbindung aufgebaut.",
    .setting = "Einstellung",
    .outcome = "Ergebnis",
    .configured = "wie eingestellt",
    .alternative = "Alternative",
    .works = "funktioniert",
    .failed_at = "scheiterte bei",
    .suggested = "Vorschlag: diese Einstellung verwenden",
    .not_reached = "nicht erreicht",
    .step = "Schritt",
    .status = "Status",
    .start = "Beginn",
    .duration = "Dauer",
    .target = "Ziel",
    .detail = "Detail",
    .ok = "ok",
    .failed = "fehlgeschlagen",
    .timed_out = "Zeit abgelaufen",
    .skipped = "nicht ausgeführt",
    .made_at = "Erstellt am",
    .made_from = "Von den ausgehenden IP-Adressen des Dienstes",
    .made_by = "Erstellt von",
    .not_known = "nicht bekannt",
    .elapsed = "Dauer der Prüfung",
    .detected_provider = "Erkannter Anbieter",
    .egress_note =
        "von diesen Adressen kam die Prüfung bei den Mailservern an; Freigabelisten "
        "müssen sie zulassen",
    .timeline_note =
        "Jeder Balken ist ein Schritt, von seinem Beginn bis zu seinem Ende; "
        "Balken nebeneinander liefen gleichzeitig.",
    .secrets_note =
        "Passwörter und Tokens stehen nie in diesem Bericht; Antworten der Server "
        "sind geschwärzt.",
    .starttls = "STARTTLS",
    .implicit_tls = "implizites TLS",
    .no_tls = "ohne TLS",
};

}  // namespace

const Labels& LabelsFor(bool german) { return german ? kDe : kEn; }

std::string_view StatusName(const Labels& l, v1::ProbeStatus status) {
  switch (status) {
    case v1::PROBE_STATUS_OK:
      return l.ok;
    case v1::PROBE_STATUS_FAILED:
      return l.failed;
    case v1::PROBE_STATUS_TIMED_OUT:
      return l.timed_out;
    default:
      return l.skipped;
  }
}

std::string_view SeverityName(const Labels& l, v1::Severity severity) {
  switch (severity) {
    case v1::SEVERITY_ERROR:
      return l.error;
    case v1::SEVERITY_WARNING:
      return l.warning;
    default:
      return l.info;
  }
}

std::string_view ModeName(const Labels& l, v1::TlsMode mode) {
  switch (mode) {
    case v1::TLS_MODE_IMPLICIT:
      return l.implicit_tls;
    case v1::TLS_MODE_NONE:
      return l.no_tls;
    default:
      return l.starttls;
  }
}

}  // namespace channelverify::report
