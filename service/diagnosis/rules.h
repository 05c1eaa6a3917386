#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "diagnosis/classifier.h"
#include "diagnosis/finding.h"

// The tables behind the classifier (docs/architecture.md, principle 6: rules are data). Exposed so
// that tests can prove every row is reached by a real reply, and so a reader finds "the
// Microsoft 5.7.139 rule" in one place: rules.cc.
namespace cv::diagnosis {

// A set of stages as bits; 0 means any stage.
using StageSet = uint32_t;
constexpr StageSet StageBit(Stage stage) { return StageSet{1} << static_cast<int>(stage); }
inline constexpr StageSet kAnyStage = 0;
inline constexpr StageSet kAuthStages = StageBit(Stage::kAuth) | StageBit(Stage::kXoauth2);
// The stages of a message: MAIL FROM (also VerifyChannel's sender check), RCPT, DATA, the end.
inline constexpr StageSet kSendStages = StageBit(Stage::kMailFrom) | StageBit(Stage::kRcptTo) |
                                        StageBit(Stage::kData) | StageBit(Stage::kDataEnd);

enum class RuleKind {
  // Rows are tried in order, most specific first; the first that matches gives the reply's
  // main finding, and no other kFirst row is tried.
  kFirst,
  // Tried after the kFirst rows, each on its own: a second finding the same reply supports.
  kAddOn,
};

// A condition on the channel rather than on the reply.
enum class RuleCondition {
  kNone,
  kGoogleSmtpHost,  // SmtpEvidence::google_smtp_host
  kNoUsername,      // !SmtpEvidence::username_given
  kUsernameGiven,   // SmtpEvidence::username_given
};

// One signal: a reply (stage, code, enhanced code, text) and what it means.
struct SmtpRule {
  std::string_view id;  // stable, unique; names the row in tests
  RuleKind kind;
  StageSet stages;            // kAnyStage or a union of StageBit()s
  int reply_code;             // 0: any failure (4xx/5xx); 4 or 5: that class; else equal
  std::string_view enhanced;  // "": any; else equal to the reply's enhanced code
  // "": any; else case-insensitive substrings of Reply::Text(), "a|b": either will do.
  std::string_view pattern;
  Provider provider;  // PROVIDER_UNSPECIFIED: any
  RuleCondition condition;
  DiagnosisCode requires_code;  // kAddOn only: an earlier finding must have this code
  // The finding.
  DiagnosisCode code;
  std::string_view variant;  // CatalogVariant name, "" for the entry's text
  Severity severity;         // SEVERITY_UNSPECIFIED: the catalog default
  double confidence;
};

std::span<const SmtpRule> SmtpRules();

// The rows that produce findings for this reply, kFirst row (if any) first. Positive and
// intermediate replies (below 400) never match.
std::vector<const SmtpRule*> MatchSmtpRules(const SmtpEvidence& evidence);

struct ObservationRule {
  Observation observation;
  DiagnosisCode code;
  Severity severity;  // SEVERITY_UNSPECIFIED: the catalog default
  double confidence;
  std::string_view probe;         // the usual probe; the verifier may name another
  std::string_view variant = "";  // CatalogVariant name, "" for the entry's text
};

// One row per Observation value, in enum order.
std::span<const ObservationRule> ObservationRules();

// The direct integration's XOAUTH2 check is information (the integration sends through the
// API): its findings become one SMTP_OAUTH_UNAVAILABLE finding, with the variant of the first
// cause that has a row here ("" otherwise).
struct SmtpOAuthCauseRule {
  DiagnosisCode cause;
  std::string_view variant;
};
std::span<const SmtpOAuthCauseRule> SmtpOAuthCauseRules();

// --- OAuth token endpoints (docs/diagnosis-sources.md, "OAuth token endpoints").

// Microsoft identity platform. Rows with an `aadsts` number match when error_codes holds it
// (and `error`, if given, is equal); every such row gives a finding. Rows with aadsts 0 are
// fallbacks on `error` alone, tried only when no numbered row matched.
struct MicrosoftTokenRule {
  std::string_view id;
  std::string_view aadsts;  // "700082"; "" for a fallback row
  std::string_view error;   // "" any
  DiagnosisCode code;
  std::string_view variant;
  Severity severity;
  double confidence;
};
std::span<const MicrosoftTokenRule> MicrosoftTokenRules();

// Google's token endpoint: `error` alone (its descriptions are prose).
struct GoogleTokenRule {
  std::string_view id;
  std::string_view error;
  DiagnosisCode code;
  std::string_view variant;
  Severity severity;
  double confidence;
};
std::span<const GoogleTokenRule> GoogleTokenRules();

// --- Account APIs (docs/diagnosis-sources.md, "Account and send APIs"). The first
// matching row wins; specific rows first.
struct ApiErrorRule {
  std::string_view id;
  OAuthApi api;              // kAny: every API
  int http_status;           // 0: any 4xx/5xx
  std::string_view code;     // "" any; else equal (case-insensitive) to the error code / reason
  std::string_view pattern;  // "" any; else a case-insensitive substring of the message
  DiagnosisCode code_out;
  std::string_view variant;
  Severity severity;
  double confidence;
};
std::span<const ApiErrorRule> ApiErrorRules();
// The row for this error, nullptr when none matches.
const ApiErrorRule* MatchApiErrorRule(const ApiErrorEvidence& evidence);
std::vector<const MicrosoftTokenRule*> MatchMicrosoftTokenRules(const TokenErrorEvidence& e);
const GoogleTokenRule* MatchGoogleTokenRule(const TokenErrorEvidence& e);

}  // namespace cv::diagnosis
