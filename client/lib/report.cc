#include "channelverify/report.h"

#include <ctime>

#include "channelverify/timeline.h"
#include "html.h"
#include "report_labels.h"
#include "report_style.h"
#include "report_svg.h"
#include "scrub.h"

namespace channelverify {
namespace {
namespace tl = channelverify::timeline;
using report::Labels;
using report::StatusWord;

// What every part of the page needs: the words, and how to make a server's text safe.
struct Page {
  const Labels& l;
  std::vector<std::string> forms;  // the request's secrets in every form they could come back

  std::string Text(std::string_view s) const { return html::Escape(scrub::Scrub(s, forms)); }
};

Page MakePage(const v1::Channel& channel, std::string_view language) {
  Page page{report::LabelsFor(language == "de"), {}};
  for (const std::string* secret : {&channel.smtp().password(), &channel.oauth().refresh_token(),
                                    &channel.oauth().access_token()}) {
    for (auto& form : scrub::FormsOf(*secret)) page.forms.push_back(std::move(form));
  }
  return page;
}

std::string Row(std::string_view head, const std::string& cell) {
  return "<tr><th scope=\"row\">" + std::string(head) + "</th><td>" + cell + "</td></tr>";
}

uint32_t PortOrDefault(const v1::SmtpChannel& smtp) {
  if (smtp.port() != 0) return smtp.port();
  switch (smtp.tls_mode()) {
    case v1::TLS_MODE_IMPLICIT:
      return 465;
    case v1::TLS_MODE_NONE:
      return 25;
    default:
      return 587;
  }
}

// The channel as the person entered it; of the secrets only whether one was given.
std::string ChannelSection(const Page& p, const v1::Channel& channel, const std::string* recipient,
                           const std::string* request_id) {
  const Labels& l = p.l;
  std::string rows;
  if (channel.has_smtp()) {
    const auto& s = channel.smtp();
    rows += Row(l.kind, "SMTP");
    rows += Row(l.server, p.Text(s.host()));
    rows += Row(l.port, std::to_string(PortOrDefault(s)));
    rows += Row(l.encryption, std::string(report::ModeName(l, s.tls_mode())));
    rows += Row(l.username, s.username().empty() ? "–" : p.Text(s.username()));
    rows += Row(l.password, std::string(s.password().empty() ? l.secret_none : l.secret_given));
    if (!s.from_address().empty()) rows += Row(l.sender, p.Text(s.from_address()));
  } else if (channel.has_oauth()) {
    const auto& o = channel.oauth();
    rows += Row(l.kind, "OAuth");
    rows += Row(l.provider, o.provider() == v1::PROVIDER_GOOGLE      ? "Google Workspace"
                            : o.provider() == v1::PROVIDER_MICROSOFT ? "Microsoft 365"
                                                                     : "–");
    rows += Row(l.account, p.Text(o.account()));
    if (!o.tenant_id().empty()) rows += Row(l.tenant, p.Text(o.tenant_id()));
    rows += Row(l.token, std::string(!o.refresh_token().empty()  ? l.refresh_token_given
                                     : !o.access_token().empty() ? l.access_token_given
                                                                 : l.secret_none));
  }
  if (recipient != nullptr) rows += Row(l.recipient, p.Text(*recipient));
  if (request_id != nullptr && !request_id->empty()) rows += Row(l.request_id, p.Text(*request_id));
  return "<section id=\"channel\"><h2>" + std::string(l.channel) + "</h2><table class=\"facts\">" +
         rows + "</table></section>";
}

std::string VerdictBox(const Page& p, v1::Verdict verdict, int diagnoses) {
  const Labels& l = p.l;
  std::string_view cls = "unknown", words = l.unknown, mark = "?";
  switch (verdict) {
    case v1::VERDICT_PASS:
      cls = "pass", words = l.pass, mark = "✓";
      break;
    case v1::VERDICT_WARN:
      cls = "warn", words = l.warn, mark = "!";
      break;
    case v1::VERDICT_FAIL:
      cls = "fail", words = l.fail, mark = "✗";
      break;
    default:
      break;
  }
  std::string out = "<p class=\"verdict verdict-" + std::string(cls) + "\"><span class=\"mark\">" +
                    std::string(mark) + "</span> " + std::string(words);
  if (diagnoses == 1) out += " (" + std::string(l.one_diagnosis) + ")";
  if (diagnoses > 1) {
    out += " (" + std::to_string(diagnoses) + " " + std::string(l.diagnoses_count) + ")";
  }
  return out + "</p>";
}

std::string DiagnosisBlock(const Page& p, const v1::Diagnosis& d) {
  const Labels& l = p.l;
  const std::string_view severity = report::SeverityName(l, d.severity());
  const std::string cls = d.severity() == v1::SEVERITY_ERROR     ? "sev-error"
                          : d.severity() == v1::SEVERITY_WARNING ? "sev-warning"
                                                                 : "sev-info";
  std::string code = v1::DiagnosisCode_Name(d.code());
  if (code.starts_with("DIAGNOSIS_CODE_")) code.erase(0, 15);
  std::string out = "<article class=\"diagnosis " + cls + "\"><h3 class=\"diagnosis-title\">" +
                    p.Text(d.title()) + "</h3><p class=\"tags\"><span class=\"severity\">" +
                    std::string(severity) + "</span> · <code>" + p.Text(code) + "</code>";
  if (!d.documented_case().empty()) {
    out += " · " + std::string(l.documented_case) + ": <code class=\"case\">" +
           p.Text(d.documented_case()) + "</code>";
  }
  if (!d.probe().empty())
    out += " · " + std::string(l.probe) + " <code>" + p.Text(d.probe()) + "</code>";
  if (d.confidence() > 0 && d.confidence() < 1) out += " · " + std::string(l.likely);
  out += "</p>";
  if (!d.remediation().empty()) {
    out += "<h4>" + std::string(l.what_to_do) + "</h4><p class=\"remediation\">" +
           p.Text(d.remediation()) + "</p>";
  }
  if (!d.escalation().empty()) {
    out += "<h4>" + std::string(l.escalation) + "</h4><p class=\"escalation\">" +
           p.Text(d.escalation()) + "</p>";
  }
  if (d.evidence_size() > 0) {
    out += "<h4>" + std::string(l.evidence) + "</h4>";
    for (const auto& e : d.evidence()) out += "<pre class=\"evidence\">" + p.Text(e) + "</pre>";
  }
  return out + "</article>";
}

std::string DiagnosesSection(const Page& p,
                             const google::protobuf::RepeatedPtrField<v1::Diagnosis>& diagnoses) {
  std::string out = "<section id=\"diagnoses\"><h2>" + std::string(p.l.diagnoses) + "</h2>";
  if (diagnoses.empty()) out += "<p>" + std::string(p.l.no_diagnoses) + "</p>";
  for (const auto& d : diagnoses) out += DiagnosisBlock(p, d);
  return out + "</section>";
}

std::string Millis(int64_t us) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", static_cast<double>(us) / 1000.0);
  return buf;
}

// The bars, and the same steps as a table (a printed page has no tooltips).
std::string TimelineSection(const Page& p,
                            const google::protobuf::RepeatedPtrField<v1::Probe>& probes,
                            int64_t elapsed_us) {
  const Labels& l = p.l;
  if (probes.empty()) return "";
  const auto text = [&p](std::string_view s) { return p.Text(s); };
  std::string out = "<section id=\"timeline\"><h2>" + std::string(l.timeline) +
                    "</h2><p class=\"note\">" + std::string(l.timeline_note) + "</p>" +
                    report::TimelineSvg(probes, elapsed_us, l, text);
  out += "<h3>" + std::string(l.steps) + "</h3><table class=\"steps\"><thead><tr><th>" +
         std::string(l.step) + "</th><th>" + std::string(l.status) + "</th><th>" +
         std::string(l.start) + "</th><th>" + std::string(l.duration) + "</th><th>" +
         std::string(l.target) + "</th><th>" + std::string(l.detail) + "</th></tr></thead><tbody>";
  for (const auto& probe : probes) {
    const bool skipped = probe.status() == v1::PROBE_STATUS_SKIPPED;
    out += "<tr class=\"status-" + std::string(StatusWord(probe.status())) + "\"><td><code>" +
           p.Text(probe.name()) + "</code></td><td>" +
           std::string(report::StatusName(l, probe.status())) + "</td><td>" +
           Millis(tl::Micros(probe.started_after())) + "</td><td>" +
           (skipped ? "" : Millis(tl::Micros(probe.duration()))) + "</td><td>" +
           p.Text(probe.target()) + "</td><td>" + p.Text(probe.detail()) + "</td></tr>";
  }
  return out + "</tbody></table></section>";
}

// What a group of probes (one connection setting) gave, in a phrase.
std::string Outcome(const Page& p, const google::protobuf::RepeatedPtrField<v1::Probe>& probes,
                    const tl::Group& g) {
  if (g.first_failure < 0) {
    if (g.probes.empty()) return std::string(p.l.not_reached);
    return "✓ " + std::string(p.l.works);
  }
  const v1::Probe& failed = probes[g.first_failure];
  std::string out = "✗ " + std::string(p.l.failed_at) + " <code>" + p.Text(failed.name()) +
                    "</code>: " + std::string(report::StatusName(p.l, failed.status()));
  if (!failed.detail().empty()) out += " – " + p.Text(failed.detail());
  return out;
}

std::string SettingsSection(const Page& p, const v1::SmtpChannel& smtp,
                            const google::protobuf::RepeatedPtrField<v1::Probe>& probes,
                            const v1::SmtpSettings* suggested) {
  const Labels& l = p.l;
  const tl::Layout layout = tl::Lay(probes);
  auto setting = [&](uint32_t port, v1::TlsMode mode) {
    return std::string(l.port) + " " + std::to_string(port) + ", " +
           std::string(report::ModeName(l, mode));
  };
  std::string rows;
  bool any_alternative = false;
  for (const tl::Group& g : layout.groups) {
    if (!g.alternative) {
      // Only the connection's own steps count for the setting (DNS says nothing about it).
      tl::Group own = g;
      own.first_failure = -1;
      own.probes.clear();
      for (int i : g.probes) {
        if (!probes[i].name().starts_with("smtp.")) continue;
        own.probes.push_back(i);
        const auto status = probes[i].status();
        if (own.first_failure < 0 &&
            (status == v1::PROBE_STATUS_FAILED || status == v1::PROBE_STATUS_TIMED_OUT)) {
          own.first_failure = i;
        }
      }
      rows += "<tr><td>" + setting(PortOrDefault(smtp), smtp.tls_mode()) + " (" +
              std::string(l.configured) + ")</td><td>" + Outcome(p, probes, own) + "</td></tr>";
      continue;
    }
    any_alternative = true;
    const bool is_suggested =
        suggested != nullptr && suggested->port() == g.port && suggested->tls_mode() == g.tls_mode;
    std::string name = g.port != 0 ? setting(g.port, g.tls_mode) : std::string(l.alternative);
    rows += std::string("<tr") + (is_suggested ? " class=\"suggested\"" : "") + "><td>" + name +
            " (" + std::string(l.alternative) + ")</td><td>" + Outcome(p, probes, g) +
            (is_suggested ? " – <strong>" + std::string(l.suggested) + "</strong>" : "") +
            "</td></tr>";
  }
  std::string out = "<section id=\"settings\"><h2>" + std::string(l.settings) +
                    "</h2><table class=\"settings\"><thead><tr><th>" + std::string(l.setting) +
                    "</th><th>" + std::string(l.outcome) + "</th></tr></thead><tbody>" + rows +
                    "</tbody></table>";
  if (!any_alternative) out += "<p class=\"note\">" + std::string(l.no_settings) + "</p>";
  return out + "</section>";
}

// The redacted exchange of each connection: the configured one, then each alternative.
std::string TranscriptsSection(const Page& p,
                               const google::protobuf::RepeatedPtrField<v1::Probe>& probes) {
  const Labels& l = p.l;
  const tl::Layout layout = tl::Lay(probes);
  std::string out = "<section id=\"transcripts\"><h2>" + std::string(l.transcripts) + "</h2>";
  bool any = false;
  for (const tl::Group& g : layout.groups) {
    std::string block;
    for (int i : g.probes) {
      const v1::Probe& probe = probes[i];
      if (probe.transcript().empty()) continue;
      std::string lines;
      for (const auto& line : probe.transcript()) {
        lines += p.Text(line);
        if (lines.empty() || lines.back() != '\n') lines += '\n';
      }
      block += "<h4><code>" + p.Text(probe.name()) + "</code> " + p.Text(probe.target()) +
               "</h4><pre class=\"transcript\">" + lines + "</pre>";
    }
    if (block.empty()) continue;
    any = true;
    std::string title = std::string(g.alternative ? l.alternative : l.configured);
    if (g.alternative && g.port != 0) {
      title += ": " + std::string(l.port_in_text) + " " + std::to_string(g.port);
      if (g.tls_mode != v1::TLS_MODE_UNSPECIFIED) {
        title += ", " + std::string(report::ModeName(l, g.tls_mode));
      }
    }
    out += "<h3>" + title + "</h3>" + block;
  }
  if (!any) out += "<p>" + std::string(l.no_transcript) + "</p>";
  return out + "</section>";
}

std::string UtcTime(std::chrono::system_clock::time_point t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

std::string AboutSection(const Page& p, const ReportContext& context, int64_t elapsed_us,
                         v1::Provider provider) {
  const Labels& l = p.l;
  std::string rows;
  if (context.made_at != std::chrono::system_clock::time_point{}) {
    rows += Row(l.made_at, "<time>" + UtcTime(context.made_at) + "</time>");
  }
  std::string ips;
  for (const auto& ip : context.egress_ips) {
    ips += std::string(ips.empty() ? "" : ", ") + "<code>" + p.Text(ip) + "</code>";
  }
  rows += Row(l.made_from, ips.empty() ? std::string(l.not_known)
                                       : ips + " <span class=\"note\">(" +
                                             std::string(l.egress_note) + ")</span>");
  if (!context.made_by.empty()) rows += Row(l.made_by, p.Text(context.made_by));
  if (elapsed_us > 0) rows += Row(l.elapsed, Millis(elapsed_us));
  if (provider == v1::PROVIDER_GOOGLE || provider == v1::PROVIDER_MICROSOFT) {
    rows += Row(l.detected_provider, provider == v1::PROVIDER_GOOGLE ? "Google" : "Microsoft");
  }
  return "<section id=\"about\"><h2>" + std::string(l.about) + "</h2><table class=\"facts\">" +
         rows + "</table><p class=\"note\">" + std::string(l.secrets_note) + "</p></section>";
}

std::string Document(const Page& p, std::string_view title, const std::string& body) {
  return "<!DOCTYPE html>\n<html lang=\"" + std::string(p.l.lang) +
         "\"><head><meta charset=\"utf-8\">"
         // Nothing on this page may load or run anything, whatever a server managed to put in.
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
         "style-src 'unsafe-inline'\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<meta name=\"color-scheme\" content=\"light\"><title>" +
         std::string(title) + "</title><style>" + std::string(report::kStyle) +
         "</style></head><body>" + body + "</body></html>\n";
}

}  // namespace

std::string RenderReport(const v1::VerifyChannelRequest& request,
                         const v1::VerifyChannelResponse& response, const ReportContext& context) {
  const Page p = MakePage(request.channel(), request.language_code());
  const int64_t elapsed = tl::Micros(response.elapsed());
  std::string body = "<header><h1>" + std::string(p.l.verify_title) + "</h1>";
  body += VerdictBox(p, response.verdict(), response.diagnoses_size()) + "</header>";
  body += ChannelSection(p, request.channel(), nullptr, nullptr);
  body += DiagnosesSection(p, response.diagnoses());
  body += TimelineSection(p, response.probes(), elapsed);
  if (request.channel().has_smtp()) {
    body += SettingsSection(
        p, request.channel().smtp(), response.probes(),
        response.has_suggested_smtp_settings() ? &response.suggested_smtp_settings() : nullptr);
  }
  body += TranscriptsSection(p, response.probes());
  body += AboutSection(p, context, elapsed, response.detected_provider());
  return Document(p, p.l.verify_title, body);
}

std::string RenderReport(const v1::SendTestRequest& request, const v1::SendTestResponse& response,
                         const ReportContext& context) {
  const Page p = MakePage(request.channel(), request.language_code());
  const Labels& l = p.l;
  std::string body = "<header><h1>" + std::string(l.send_title) + "</h1>";
  body += VerdictBox(p, response.verdict(), response.diagnoses_size());
  std::string rows = Row(l.result, response.accepted() ? "✓ " + std::string(l.accepted)
                                                       : "✗ " + std::string(l.not_accepted));
  if (!response.server_reply().empty()) {
    rows += Row(l.server_reply, "<code>" + p.Text(response.server_reply()) + "</code>");
  }
  if (!response.message_id().empty()) {
    rows += Row(l.message_id, "<code>" + p.Text(response.message_id()) + "</code>");
  }
  if (!response.correlation_id().empty()) {
    rows +=
        Row("X-Channel-Verifier-Test", "<code>" + p.Text(response.correlation_id()) + "</code>");
  }
  body += "<table class=\"facts sent\">" + rows + "</table></header>";
  body += ChannelSection(p, request.channel(), &request.recipient(), &request.request_id());
  body += DiagnosesSection(p, response.diagnoses());
  body += TimelineSection(p, response.probes(), 0);
  if (request.channel().has_smtp()) {
    body += SettingsSection(p, request.channel().smtp(), response.probes(), nullptr);
  }
  body += TranscriptsSection(p, response.probes());
  body += AboutSection(p, context, 0, v1::PROVIDER_UNSPECIFIED);
  return Document(p, l.send_title, body);
}

}  // namespace channelverify
