#include "channelctl/render.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <optional>

#include "channelctl/timeline_text.h"
#include "channelverify/timeline.h"
#include "diagnosis/probe_names.h"

namespace channelctl {
namespace v1 = channelverify::v1;
namespace facts = cv::facts;
namespace probes = cv::probes;

namespace {

constexpr std::string_view kGreen = "\033[32m", kRed = "\033[31m", kYellow = "\033[33m",
                           kDim = "\033[2m", kBold = "\033[1m", kReset = "\033[0m";

std::string Paint(const Style& style, std::string_view color, std::string_view text) {
  if (!style.color) return std::string(text);
  return std::string(color) + std::string(text) + std::string(kReset);
}

long long Millis(const google::protobuf::Duration& d) {
  return d.seconds() * 1000 + d.nanos() / 1000000;
}

// Replies arrive with CRLF between lines; on one line they read best separated by " | ".
std::string OneLine(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r') continue;
    if (c == '\n') {
      if (i + 1 < text.size()) out += " | ";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

std::string Truncate(std::string text, size_t max) {
  if (text.size() <= max) return text;
  // Cut on a UTF-8 boundary so a German umlaut is never split.
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  return text + "…";
}

// Greedy word wrap at `width` columns; every line after the first starts with `indent`.
std::string Wrap(std::string_view text, size_t width, const std::string& indent, size_t first) {
  std::string out;
  size_t column = first;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '\n') {
      out += "\n" + indent;
      column = indent.size();
      ++i;
      continue;
    }
    size_t end = i;
    while (end < text.size() && text[end] != ' ' && text[end] != '\n') ++end;
    const std::string_view word = text.substr(i, end - i);
    if (column > indent.size() && column + 1 + word.size() > width) {
      out += "\n" + indent;
      column = indent.size();
    } else if (!out.empty() && out.back() != ' ' && out.back() != '\n' && column > indent.size() &&
               !word.empty()) {
      out += ' ';
      ++column;
    }
    out += word;
    column += word.size();
    i = end;
    while (i < text.size() && text[i] == ' ') ++i;
  }
  return out;
}

std::string StatusMark(v1::ProbeStatus status, const Style& style) {
  switch (status) {
    case v1::PROBE_STATUS_OK:
      return Paint(style, kGreen, "✓");
    case v1::PROBE_STATUS_FAILED:
      return Paint(style, kRed, "✗");
    case v1::PROBE_STATUS_TIMED_OUT:
      return Paint(style, kYellow, "⏱");
    default:
      return Paint(style, kDim, "–");
  }
}

std::string SeverityMark(v1::Severity severity, const Style& style) {
  switch (severity) {
    case v1::SEVERITY_ERROR:
      return Paint(style, kRed, "✗");
    case v1::SEVERITY_WARNING:
      return Paint(style, kYellow, "!");
    default:
      return Paint(style, kDim, "i");
  }
}

std::string SeverityName(v1::Severity severity) {
  switch (severity) {
    case v1::SEVERITY_ERROR:
      return "error";
    case v1::SEVERITY_WARNING:
      return "warning";
    case v1::SEVERITY_INFO:
      return "info";
    default:
      return "";
  }
}

std::string TlsModeName(v1::TlsMode mode) {
  switch (mode) {
    case v1::TLS_MODE_IMPLICIT:
      return "implicit TLS";
    case v1::TLS_MODE_NONE:
      return "no TLS";
    default:
      return "STARTTLS";
  }
}

// `width`: the name column, as wide as the longest name (OAuth's graph.mailbox_settings).
std::string ProbeLine(const v1::Probe& probe, size_t width, const Style& style) {
  std::string name = probe.name();
  if (name.size() < width) name.resize(width, ' ');
  std::string line = "  " + StatusMark(probe.status(), style) + " " + name;
  if (style.timing && probe.status() == v1::PROBE_STATUS_SKIPPED) {
    line += std::string(9, ' ');  // a step that did not run took no time worth showing
  } else if (style.timing) {
    char ms[32];
    std::snprintf(ms, sizeof ms, "%6lld ms", Millis(probe.duration()));
    line += Paint(style, kDim, ms);
  }
  std::string fact = KeyFact(probe);
  if (!fact.empty()) line += "  " + Truncate(fact, 110);
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line + "\n";
}

std::string VerdictLine(v1::Verdict verdict, int diagnoses,
                        const google::protobuf::Duration* elapsed, const Style& style) {
  std::string mark, word, text;
  switch (verdict) {
    case v1::VERDICT_PASS:
      mark = Paint(style, kGreen, "✓ PASS");
      text = style.german ? "der Kanal funktioniert" : "the channel works";
      break;
    case v1::VERDICT_WARN:
      mark = Paint(style, kYellow, "! WARN");
      text = style.german ? "der Kanal funktioniert, aber etwas sollte geändert werden"
                          : "the channel works, but something should be changed";
      break;
    case v1::VERDICT_FAIL:
      mark = Paint(style, kRed, "✗ FAIL");
      text = style.german ? "der Kanal funktioniert nicht" : "the channel does not work";
      break;
    default:
      mark = "? UNKNOWN";
      text = "no verdict";
  }
  std::string line = style.color ? std::string(kBold) + mark + std::string(kReset) : mark;
  line += ": " + text;
  if (diagnoses > 0) {
    line += " (" + std::to_string(diagnoses) +
            (style.german ? (diagnoses == 1 ? " Diagnose)" : " Diagnosen)")
                          : (diagnoses == 1 ? " diagnosis)" : " diagnoses)"));
  }
  if (style.timing && elapsed != nullptr) {
    line += Paint(style, kDim, " in " + std::to_string(Millis(*elapsed)) + " ms");
  }
  return line + "\n";
}

std::string DiagnosisBlock(const v1::Diagnosis& d, const Style& style) {
  std::string out =
      "\n" + SeverityMark(d.severity(), style) + " " + Paint(style, kBold, d.title()) + "\n";
  std::string tags = ShortCode(d.code());
  if (!d.documented_case().empty()) tags += " · " + d.documented_case();
  if (!d.probe().empty())
    tags += " · " + std::string(style.german ? "Probe " : "probe ") + d.probe();
  if (d.confidence() > 0 && d.confidence() < 1) {
    tags += style.german ? " · wahrscheinlich, nicht bewiesen" : " · likely, not proven";
  }
  out += "  " + Paint(style, kDim, tags) + "\n";
  if (!d.remediation().empty()) {
    const std::string label = style.german ? "Was tun: " : "What to do: ";
    out += "  " + label + Wrap(d.remediation(), 100, "    ", 2 + label.size()) + "\n";
  }
  if (d.evidence_size() > 0) {
    out += std::string("  ") + (style.german ? "Belege:" : "Evidence:") + "\n";
    for (const auto& e : d.evidence()) {
      std::string_view rest = e;
      while (!rest.empty()) {
        std::string_view line = rest.substr(0, rest.find('\n'));
        rest.remove_prefix(std::min(rest.size(), line.size() + 1));
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        out += "    " + Paint(style, kDim, std::string(line)) + "\n";
      }
    }
  }
  return out;
}

std::string ProbesAndDiagnoses(const google::protobuf::RepeatedPtrField<v1::Probe>& probes,
                               const google::protobuf::RepeatedPtrField<v1::Diagnosis>& diagnoses,
                               int64_t elapsed_us, const Style& style, std::string* tail) {
  std::string out;
  size_t width = 15;
  for (const auto& p : probes) width = std::max(width, p.name().size() + 1);
  for (const auto& p : probes) out += ProbeLine(p, width, style);
  if (style.timeline && !probes.empty()) {
    TimelineStyle timeline;
    timeline.ascii = style.ascii;
    timeline.color = style.color;
    timeline.german = style.german;
    out += "\n" + RenderTimeline(probes, elapsed_us, timeline);
  }
  // Errors first: the reader acts on the first thing they read.
  std::vector<const v1::Diagnosis*> sorted;
  for (const auto& d : diagnoses) sorted.push_back(&d);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto* a, const auto* b) { return a->severity() > b->severity(); });
  for (const auto* d : sorted) *tail += DiagnosisBlock(*d, style);
  return out;
}

std::string ToUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// "3599s" -> "59m59s", "7200s" -> "2h": the lifetime of a token as a person reads it.
std::string Lifetime(std::string_view seconds_text) {
  if (seconds_text.ends_with("s")) seconds_text.remove_suffix(1);
  long long seconds = 0;
  for (char c : seconds_text) {
    if (!std::isdigit(static_cast<unsigned char>(c)) || seconds > 100000000) {
      return std::string(seconds_text);
    }
    seconds = seconds * 10 + (c - '0');
  }
  std::string out;
  if (seconds >= 3600) out += std::to_string(seconds / 3600) + "h";
  if (seconds % 3600 >= 60) out += std::to_string(seconds % 3600 / 60) + "m";
  if (seconds % 60 != 0 || out.empty()) out += std::to_string(seconds % 60) + "s";
  return out;
}

// Scopes without the providers' long prefixes: "Mail.Send", "admin.directory.user.readonly".
// Google's mail scope is the URL itself and stays as it is.
std::string ShortScopes(std::string_view scopes) {
  static constexpr std::string_view kPrefixes[] = {"https://www.googleapis.com/auth/",
                                                   "https://graph.microsoft.com/",
                                                   "https://outlook.office.com/"};
  std::string out;
  while (!scopes.empty()) {
    std::string_view scope = scopes.substr(0, scopes.find(' '));
    scopes.remove_prefix(std::min(scopes.size(), scope.size() + 1));
    if (scope.empty()) continue;
    for (std::string_view prefix : kPrefixes) {
      if (scope.starts_with(prefix) && scope.size() > prefix.size()) {
        scope.remove_prefix(prefix.size());
        break;
      }
    }
    if (!out.empty()) out += " ";
    out += scope;
  }
  return out;
}

// The facts of an OAuth probe (token endpoint, Graph, Gmail, Directory API) that answer "is
// this account fit to send": granted scopes and expiry, then the account's properties, then
// what a send call got back.
std::vector<std::string> OAuthFacts(const v1::Probe& probe) {
  const auto& all = probe.facts();
  auto get = [&](const char* key) -> std::optional<std::string> {
    auto it = all.find(key);
    if (it == all.end()) return std::nullopt;
    return it->second;
  };
  auto yes_no = [&](const char* key, const char* yes,
                    const char* no) -> std::optional<std::string> {
    auto v = get(key);
    if (!v) return std::nullopt;
    return *v == "true" ? yes : *v == "false" ? no : std::string(key) + " " + *v;
  };
  std::vector<std::string> parts;
  if (auto v = get(facts::kScopes))
    parts.push_back(v->empty() ? "no scopes granted" : "scopes " + ShortScopes(*v));
  if (auto v = get(facts::kExpiresIn)) parts.push_back("expires in " + Lifetime(*v));
  if (auto v = get(facts::kEmailAddress)) parts.push_back("token of " + *v);
  if (auto v = yes_no(facts::kAccountEnabled, "account enabled", "account DISABLED"))
    parts.push_back(*v);
  if (auto v = get(facts::kLicenses)) parts.push_back(*v + (*v == "1" ? " licence" : " licences"));
  if (auto v = get(facts::kUserPurpose)) parts.push_back("userPurpose " + *v);
  if (auto v = get(facts::kRoles)) parts.push_back("roles " + *v);
  if (auto v = yes_no(facts::kSendPermitted, "send permitted", "send NOT permitted"))
    parts.push_back(*v);
  if (auto v = yes_no(facts::kIsAdmin, "admin", "NOT admin")) parts.push_back(*v);
  if (auto v = yes_no(facts::kIsMailboxSetup, "mailbox set up", "mailbox NOT set up")) {
    parts.push_back(*v);
  }
  if (auto v = yes_no(facts::kSuspended, "SUSPENDED", "not suspended")) parts.push_back(*v);
  if (auto v = yes_no(facts::kArchived, "ARCHIVED", "not archived")) parts.push_back(*v);
  // SendTest through the API: what Gmail called the message it took.
  if (auto v = get(facts::kGmailId)) parts.push_back("Gmail id " + *v);
  return parts;
}

}  // namespace

int ExitCodeFor(v1::Verdict verdict) {
  switch (verdict) {
    case v1::VERDICT_PASS:
      return 0;
    case v1::VERDICT_WARN:
      return 1;
    default:
      return 2;
  }
}

std::string KeyFact(const v1::Probe& probe) {
  const auto& all = probe.facts();
  auto get = [&](const char* key) -> std::string {
    auto it = all.find(key);
    return it == all.end() ? "" : it->second;
  };
  std::vector<std::string> parts;
  if (auto v = get(facts::kTlsMode); !v.empty()) {
    // One of the alternatives tried beside the configured setting: which one.
    const uint32_t port = channelverify::timeline::PortOf(probe.target());
    parts.push_back((port != 0 ? "port " + std::to_string(port) + " " : "") +
                    TlsModeName(channelverify::timeline::TlsModeOf(v)));
  }
  if (probe.status() != v1::PROBE_STATUS_OK && !probe.detail().empty()) {
    parts.push_back(OneLine(probe.detail()));
  }
  if (all.count(facts::kHttpStatus)) {
    // An HTTPS call of the OAuth side: what the provider said about the token and the account.
    // The exchange itself (addresses, TLS) is in the JSON output; it shows here only when the
    // provider said nothing else.
    const std::vector<std::string> oauth = OAuthFacts(probe);
    parts.insert(parts.end(), oauth.begin(), oauth.end());
    if (auto v = get(facts::kError); !v.empty() && probe.status() != v1::PROBE_STATUS_OK &&
                                     (parts.empty() || parts[0].find(v) == std::string::npos)) {
      parts.push_back("error " + v);
    }
    if (parts.empty()) {
      parts.push_back("HTTP " + get(facts::kHttpStatus));
      if (auto v = get(facts::kTlsVersion); !v.empty()) {
        if (get(facts::kCertVerified) == "true") v += ", certificate verified";
        parts.push_back(v);
      }
    }
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : " · ") + p;
    return out;
  }
  if (auto v = get(facts::kTlsVersion); !v.empty()) {
    const std::string verified = get(facts::kCertVerified);
    if (verified == "true") v += ", certificate verified";
    if (verified == "false" && probe.status() == v1::PROBE_STATUS_OK) {
      v += ", certificate NOT accepted: " + get(facts::kCertError);
    }
    parts.push_back(v);
  }
  const bool ehlo =
      probe.name().ends_with(probes::step::kEhlo) && probe.status() == v1::PROBE_STATUS_OK;
  if (ehlo) {
    // Each EHLO probe carries what that EHLO advertised.
    const std::string mechanisms = get(facts::kAuthMechanisms);
    parts.push_back(mechanisms.empty() ? "no AUTH" : "AUTH " + mechanisms);
    // After TLS no server offers STARTTLS again: only its presence is news.
    const std::string keywords = " " + get(facts::kCapabilities) + " ";
    if (keywords.find(" STARTTLS ") != std::string::npos) parts.push_back("STARTTLS offered");
  } else if (auto v = get(facts::kAuthMechanisms); !v.empty()) {
    parts.push_back("AUTH " + v);
  }
  if (auto v = get(facts::kMechanism); !v.empty()) parts.push_back(v);
  if (auto v = get(facts::kSender); !v.empty()) parts.push_back(v);  // the sender check's address
  // The whole EHLO reply is in the JSON output; on the line it would drown the capabilities.
  if (auto v = get(facts::kReply); !v.empty() && !ehlo) {
    parts.push_back(OneLine(v));
  }
  if (auto v = get(facts::kServer); !v.empty() && get(facts::kReply).empty())
    parts.push_back(OneLine(v));
  if (auto v = get(facts::kCnameChain); !v.empty()) parts.push_back("CNAME " + v);
  if (auto v = get(facts::kAddresses); !v.empty()) parts.push_back(v);
  if (auto v = get(facts::kAddress); !v.empty()) parts.push_back(v);
  if (auto v = get(facts::kMx); !v.empty()) parts.push_back("MX " + v);
  const size_t said = parts.size() - (get(facts::kTlsMode).empty() ? 0 : 1);
  if (said == 0 || (said == 1 && probe.status() != v1::PROBE_STATUS_OK)) {
    // Probes without the usual facts (egress: address -> decision) show them all, sorted so
    // the line is the same from run to run.
    std::map<std::string, std::string> sorted(all.begin(), all.end());
    std::string rest;
    for (const auto& [k, v] : sorted) {
      static const char* kShown[] = {
          facts::kTlsVersion,   facts::kCipher,       facts::kCertSubject,  facts::kCertIssuer,
          facts::kCertNotAfter, facts::kCertVerified, facts::kCertError,    facts::kAuthMechanisms,
          facts::kStartTls,     facts::kSizeLimit,    facts::kMechanism,    facts::kReply,
          facts::kServer,       facts::kCnameChain,   facts::kAddresses,    facts::kAddress,
          facts::kMx,           facts::kSender,       facts::kCapabilities, facts::kTlsMode};
      if (std::find(std::begin(kShown), std::end(kShown), k) != std::end(kShown)) continue;
      if (!rest.empty()) rest += ", ";
      rest += k + " " + OneLine(v);
    }
    if (!rest.empty()) parts.push_back(rest);
  }
  if (parts.empty() && !probe.detail().empty()) parts.push_back(OneLine(probe.detail()));
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += " · ";
    out += p;
  }
  return out;
}

std::string RenderVerify(const v1::VerifyChannelResponse& response, const std::string& header,
                         const Style& style) {
  std::string out = Paint(style, kBold, header) + "\n\n";
  std::string tail;
  out += ProbesAndDiagnoses(response.probes(), response.diagnoses(),
                            channelverify::timeline::Micros(response.elapsed()), style, &tail);
  out += "\n" + VerdictLine(response.verdict(), response.diagnoses_size(),
                            response.has_elapsed() ? &response.elapsed() : nullptr, style);
  if (response.has_suggested_smtp_settings()) {
    const auto& s = response.suggested_smtp_settings();
    out += std::string(style.german ? "→ Funktionierende Einstellung: Port "
                                    : "→ Working setting: port ") +
           std::to_string(s.port()) + ", " + TlsModeName(s.tls_mode()) + "\n";
  }
  return out + tail;
}

std::string RenderSendTest(const v1::SendTestResponse& response, const std::string& header,
                           const Style& style) {
  std::string out = Paint(style, kBold, header) + "\n\n";
  std::string tail;
  out += ProbesAndDiagnoses(response.probes(), response.diagnoses(), 0, style, &tail);
  out += "\n";
  if (response.accepted()) {
    out += Paint(style, kGreen, style.german ? "✓ Angenommen" : "✓ Accepted");
  } else {
    out += Paint(style, kRed, style.german ? "✗ Nicht angenommen" : "✗ Not accepted");
  }
  if (!response.server_reply().empty()) out += ": " + OneLine(response.server_reply());
  out += "\n";
  if (!response.message_id().empty()) out += "  Message-ID: " + response.message_id() + "\n";
  if (!response.correlation_id().empty()) {
    out += "  X-Channel-Verifier-Test: " + response.correlation_id() + "\n";
  }
  return out + tail;
}

std::string ShortCode(v1::DiagnosisCode code) {
  if (code == v1::DIAGNOSIS_CODE_UNSPECIFIED) return "";
  std::string name = v1::DiagnosisCode_Name(code);
  constexpr std::string_view kPrefix = "DIAGNOSIS_CODE_";
  if (name.rfind(kPrefix, 0) == 0) name.erase(0, kPrefix.size());
  return name;
}

std::vector<v1::CatalogEntry> FindCatalogEntries(const v1::ListDiagnosesResponse& catalog,
                                                 std::string_view code) {
  std::string wanted = ToUpper(code);
  std::replace(wanted.begin(), wanted.end(), '-', '_');
  constexpr std::string_view kPrefix = "DIAGNOSIS_CODE_";
  if (wanted.rfind(kPrefix, 0) == 0) wanted.erase(0, kPrefix.size());
  std::vector<v1::CatalogEntry> by_code, by_case;
  for (const auto& e : catalog.entries()) {
    if (!wanted.empty() && ShortCode(e.code()) == wanted) by_code.push_back(e);
    std::string case_id = ToUpper(e.documented_case());
    std::replace(case_id.begin(), case_id.end(), '-', '_');
    if (!case_id.empty() && case_id == wanted) by_case.push_back(e);
  }
  return by_code.empty() ? by_case : by_code;
}

std::string RenderCatalogList(const v1::ListDiagnosesResponse& catalog, const Style& style) {
  std::string out;
  for (const auto& e : catalog.entries()) {
    std::string code = ShortCode(e.code());
    if (code.empty()) code = "(" + e.documented_case() + ")";
    if (code.size() < 30) code.resize(30, ' ');
    out += SeverityMark(e.severity(), style) + " " + code + " " + e.title();
    if (!e.documented_case().empty() && e.code() != v1::DIAGNOSIS_CODE_UNSPECIFIED) {
      out += Paint(style, kDim, "  [" + e.documented_case() + "]");
    }
    out += "\n";
  }
  return out;
}

std::string RenderCatalogEntries(const std::vector<v1::CatalogEntry>& entries, const Style& style) {
  std::string out;
  for (const auto& e : entries) {
    if (!out.empty()) out += "\n";
    out += SeverityMark(e.severity(), style) + " " + Paint(style, kBold, e.title()) + "\n";
    std::string tags = ShortCode(e.code());
    if (!e.documented_case().empty()) tags += (tags.empty() ? "" : " · ") + e.documented_case();
    tags += " · " + SeverityName(e.severity());
    out += "  " + Paint(style, kDim, tags) + "\n";
    const std::string label = style.german ? "Was tun: " : "What to do: ";
    out += "  " + label + Wrap(e.remediation(), 100, "    ", 2 + label.size()) + "\n";
    // The more precise texts a diagnosis names in its `variant`.
    for (const auto& v : e.variants()) {
      const std::string head = "[" + v.variant() + "] ";
      out += "  " + Paint(style, kDim, head) + Paint(style, kBold, v.title()) + "\n";
      out += "    " + label + Wrap(v.remediation(), 100, "      ", 4 + label.size()) + "\n";
    }
    if (!e.escalation().empty()) {
      const std::string more = style.german ? "Wenn das nicht hilft: " : "If that does not help: ";
      out += "  " + more + Wrap(e.escalation(), 100, "    ", 2 + more.size()) + "\n";
    }
  }
  return out;
}

std::string RenderCatalogMarkdown(const v1::ListDiagnosesResponse& catalog) {
  auto cell = [](std::string text) {
    std::string out;
    for (char c : text) {
      if (c == '|') {
        out += "\\|";
      } else if (c == '\n') {
        out += ' ';
      } else {
        out.push_back(c);
      }
    }
    return out;
  };
  std::string out =
      "| Code | Severity | Documented case | What it means |\n"
      "|---|---|---|---|\n";
  for (const auto& e : catalog.entries()) {
    const std::string code = ShortCode(e.code());
    out += "| " + (code.empty() ? std::string("–") : "`" + code + "`") + " | " +
           SeverityName(e.severity()) + " | " +
           (e.documented_case().empty() ? std::string("–") : "`" + e.documented_case() + "`") +
           " | " + cell(e.title()) + " |\n";
  }
  return out;
}

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(message, &out, options).ok()) return "{}\n";
  if (out.empty() || out.back() != '\n') out += "\n";
  return out;
}

}  // namespace channelctl
