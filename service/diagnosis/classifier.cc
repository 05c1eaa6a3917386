#include "diagnosis/classifier.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

#include "diagnosis/catalog.h"
#include "diagnosis/probe_names.h"
#include "diagnosis/rules.h"

namespace cv::diagnosis {
namespace {

namespace pb = channelverify::v1;

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

// `haystack` is already lower case; patterns are written as the servers spell them.
bool ContainsIgnoreCase(std::string_view haystack, std::string_view pattern) {
  if (pattern.empty()) return true;
  auto it = std::search(haystack.begin(), haystack.end(), pattern.begin(), pattern.end(),
                        [](char h, char p) { return h == Lower(p); });
  return it != haystack.end();
}

bool IsDigits(std::string_view s) {
  return !s.empty() && s.size() <= 3 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// RFC 3463 "class.subject.detail" at the start of a line, e.g. "5.7.139".
std::string_view LeadingEnhancedCode(std::string_view line) {
  const size_t end = std::min(line.find(' '), line.size());
  const std::string_view token = line.substr(0, end);
  const size_t dot1 = token.find('.');
  if (dot1 != 1 || (token[0] != '2' && token[0] != '4' && token[0] != '5')) return {};
  const size_t dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) return {};
  if (!IsDigits(token.substr(dot1 + 1, dot2 - dot1 - 1)) || !IsDigits(token.substr(dot2 + 1))) {
    return {};
  }
  return token;
}

// The parser fills Reply::enhanced; a reply built elsewhere may not, and the rules must not
// miss a 5.7.139 because of that.
std::string_view EnhancedOf(const smtp::Reply& reply) {
  if (!reply.enhanced.empty() || reply.lines.empty()) return reply.enhanced;
  return LeadingEnhancedCode(reply.lines.front());
}

bool StageMatches(StageSet stages, Stage stage) {
  return stages == kAnyStage || (stages & StageBit(stage)) != 0;
}

bool ConditionHolds(RuleCondition condition, const SmtpEvidence& evidence) {
  switch (condition) {
    case RuleCondition::kNone:
      return true;
    case RuleCondition::kGoogleSmtpHost:
      return evidence.google_smtp_host;
    case RuleCondition::kNoUsername:
      return !evidence.username_given;
    case RuleCondition::kUsernameGiven:
      return evidence.username_given;
  }
  return false;
}

// "a|b|c": any of the alternatives.
bool ContainsAny(std::string_view lower_text, std::string_view patterns) {
  if (patterns.empty()) return true;
  while (true) {
    const size_t bar = patterns.find('|');
    if (ContainsIgnoreCase(lower_text, patterns.substr(0, bar))) return true;
    if (bar == std::string_view::npos) return false;
    patterns.remove_prefix(bar + 1);
  }
}

// 0: any failure; 4 or 5: that class; else the exact code.
bool CodeMatches(int rule_code, int code) {
  if (rule_code == 0) return true;
  if (rule_code < 10) return code / 100 == rule_code;
  return rule_code == code;
}

bool RuleMatches(const SmtpRule& rule, const SmtpEvidence& evidence, std::string_view enhanced,
                 std::string_view lower_text) {
  return StageMatches(rule.stages, evidence.stage) &&
         CodeMatches(rule.reply_code, evidence.reply.code) &&
         (rule.enhanced.empty() || rule.enhanced == enhanced) &&
         (rule.provider == pb::PROVIDER_UNSPECIFIED || rule.provider == evidence.provider) &&
         ConditionHolds(rule.condition, evidence) && ContainsAny(lower_text, rule.pattern);
}

bool HasCode(const std::vector<const SmtpRule*>& matched, DiagnosisCode code) {
  return std::any_of(matched.begin(), matched.end(),
                     [code](const SmtpRule* r) { return r->code == code; });
}

}  // namespace

std::string_view StageName(Stage stage) {
  switch (stage) {
    case Stage::kGreeting:
      return "greeting";
    case Stage::kEhlo:
      return "EHLO";
    case Stage::kStartTls:
      return "STARTTLS";
    case Stage::kAuth:
      return "AUTH";
    case Stage::kXoauth2:
      return "AUTH XOAUTH2";
    case Stage::kMailFrom:
      return "MAIL FROM";
    case Stage::kRcptTo:
      return "RCPT TO";
    case Stage::kData:
      return "DATA";
    case Stage::kDataEnd:
      return "end of DATA";
    case Stage::kQuit:
      return "QUIT";
  }
  return "SMTP";
}

std::string_view StageProbe(Stage stage) {
  switch (stage) {
    case Stage::kGreeting:
      return probes::kSmtpGreeting;
    case Stage::kEhlo:
      return probes::kSmtpEhlo;
    case Stage::kStartTls:
      return probes::kSmtpStartTls;
    case Stage::kAuth:
    case Stage::kXoauth2:
      return probes::kSmtpAuth;
    case Stage::kMailFrom:
    case Stage::kRcptTo:
    case Stage::kData:
    case Stage::kDataEnd:
    case Stage::kQuit:
      return probes::kSmtpSend;
  }
  return probes::kSmtp;
}

std::vector<const SmtpRule*> MatchSmtpRules(const SmtpEvidence& evidence) {
  std::vector<const SmtpRule*> matched;
  // 2xx/3xx (including XOAUTH2's 334 challenge) are not failures; the verifier reads those.
  if (evidence.reply.code < 400) return matched;
  const std::string lower_text = LowerAscii(evidence.reply.Text());
  const std::string_view enhanced = EnhancedOf(evidence.reply);
  const std::span<const SmtpRule> rules = SmtpRules();
  for (const SmtpRule& rule : rules) {
    if (rule.kind == RuleKind::kFirst && RuleMatches(rule, evidence, enhanced, lower_text)) {
      matched.push_back(&rule);
      break;
    }
  }
  for (const SmtpRule& rule : rules) {
    if (rule.kind != RuleKind::kAddOn || HasCode(matched, rule.code)) continue;
    if (rule.requires_code != pb::DIAGNOSIS_CODE_UNSPECIFIED &&
        !HasCode(matched, rule.requires_code)) {
      continue;
    }
    if (RuleMatches(rule, evidence, enhanced, lower_text)) matched.push_back(&rule);
  }
  return matched;
}

std::vector<Finding> ClassifySmtpReply(const SmtpEvidence& evidence) {
  std::vector<Finding> findings;
  const std::vector<const SmtpRule*> matched = MatchSmtpRules(evidence);
  if (matched.empty()) return findings;
  std::string line(StageName(evidence.stage));
  line += ": ";
  line += evidence.reply.Raw();
  for (const SmtpRule* rule : matched) {
    Finding f;
    f.code = rule->code;
    f.severity = rule->severity;
    f.confidence = rule->confidence;
    f.variant = std::string(rule->variant);
    f.evidence.push_back(line);
    f.probe = std::string(StageProbe(evidence.stage));
    findings.push_back(std::move(f));
  }
  return findings;
}

Finding ClassifyObservation(Observation observation, std::vector<std::string> evidence) {
  Finding f;
  f.evidence = std::move(evidence);
  for (const ObservationRule& rule : ObservationRules()) {
    if (rule.observation != observation) continue;
    f.code = rule.code;
    f.severity = rule.severity;
    f.confidence = rule.confidence;
    f.probe = std::string(rule.probe);
    f.variant = std::string(rule.variant);
    break;
  }
  return f;
}

std::vector<Finding> SmtpOAuthInformation(const std::vector<Finding>& causes) {
  if (causes.empty()) return {};
  Finding out = ClassifyObservation(Observation::kSmtpOAuthUnavailable, {});
  for (const Finding& cause : causes) {
    if (out.variant.empty()) {
      for (const SmtpOAuthCauseRule& rule : SmtpOAuthCauseRules()) {
        if (rule.cause == cause.code) out.variant = std::string(rule.variant);
      }
    }
    std::string name = pb::DiagnosisCode_Name(cause.code);
    if (name.starts_with("DIAGNOSIS_CODE_")) name.erase(0, 15);
    out.evidence.push_back("over SMTP (XOAUTH2): " + name);
    for (const std::string& e : cause.evidence) out.evidence.push_back(e);
  }
  return {out};
}

void CapAtWarning(std::vector<Finding>& findings) {
  for (Finding& f : findings) {
    Severity severity = f.severity;
    if (severity == pb::SEVERITY_UNSPECIFIED) {
      const CatalogEntry* entry = FindEntry(f.code);
      if (entry != nullptr) severity = entry->severity;
    }
    if (severity == pb::SEVERITY_ERROR) f.severity = pb::SEVERITY_WARNING;
  }
}

namespace {

template <typename Rule>
Finding FromRow(const Rule& rule, DiagnosisCode code, const std::string& line) {
  Finding f;
  f.code = code;
  f.severity = rule.severity;
  f.confidence = rule.confidence;
  f.variant = std::string(rule.variant);
  f.evidence.push_back(line);
  return f;
}

}  // namespace

std::string_view OAuthApiName(OAuthApi api) {
  switch (api) {
    case OAuthApi::kGraph:
      return "Microsoft Graph";
    case OAuthApi::kGmail:
      return "Gmail API";
    case OAuthApi::kDirectory:
      return "Directory API";
    case OAuthApi::kGraphSend:
      return "Microsoft Graph sendMail";
    case OAuthApi::kGmailSend:
      return "Gmail API users.messages.send";
    case OAuthApi::kAny:
    case OAuthApi::kAnySend:
      break;
  }
  return "API";
}

bool ApiRowApplies(OAuthApi row_api, OAuthApi api) {
  if (row_api == OAuthApi::kAny || row_api == api) return true;
  const bool send = api == OAuthApi::kGraphSend || api == OAuthApi::kGmailSend;
  if (row_api == OAuthApi::kAnySend) return send;
  return (row_api == OAuthApi::kGraph && api == OAuthApi::kGraphSend) ||
         (row_api == OAuthApi::kGmail && api == OAuthApi::kGmailSend);
}

std::vector<Finding> ClassifyTokenError(const TokenErrorEvidence& evidence, std::string line) {
  std::vector<Finding> out;
  if (evidence.provider == pb::PROVIDER_MICROSOFT) {
    for (const MicrosoftTokenRule* rule : MatchMicrosoftTokenRules(evidence)) {
      Finding f = FromRow(*rule, rule->code, line);
      f.probe = probes::kOAuthToken;
      out.push_back(std::move(f));
    }
  } else if (evidence.provider == pb::PROVIDER_GOOGLE) {
    if (const GoogleTokenRule* rule = MatchGoogleTokenRule(evidence)) {
      Finding f = FromRow(*rule, rule->code, line);
      f.probe = probes::kOAuthToken;
      out.push_back(std::move(f));
    }
  }
  return out;
}

std::vector<Finding> ClassifyApiError(const ApiErrorEvidence& evidence, std::string line) {
  std::vector<Finding> out;
  if (const ApiErrorRule* rule = MatchApiErrorRule(evidence)) {
    out.push_back(FromRow(*rule, rule->code_out, line));
  }
  return out;
}

}  // namespace cv::diagnosis
