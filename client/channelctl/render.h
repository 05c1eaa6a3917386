// What channelctl prints: human text (one line per probe, then the diagnoses with what to do),
// proto3 JSON, and the markdown table of the README. Pure functions of the responses, so the
// snapshots in the tests are exact.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "channelverify/v1/channel_verifier.pb.h"

namespace channelctl {

struct Style {
  bool color = false;
  bool timing = true;
  bool german = false;    // labels ("What to do", ...) follow --lang like the server's texts
  bool timeline = false;  // --timeline: the probes as bars on one time axis after their lines
  bool ascii = false;     // the timeline in ASCII (--ascii, or a locale that is not UTF-8)
};

// Exit status for a verdict: 0 pass, 1 warn, 2 fail (3 is for usage and connection errors).
int ExitCodeFor(channelverify::v1::Verdict verdict);

// The one fact of a probe an engineer looks at first (TLS version, AUTH mechanisms, the reply).
std::string KeyFact(const channelverify::v1::Probe& probe);

std::string RenderVerify(const channelverify::v1::VerifyChannelResponse& response,
                         const std::string& header, const Style& style);
std::string RenderSendTest(const channelverify::v1::SendTestResponse& response,
                           const std::string& header, const Style& style);

// Entries matching CODE: "INVALID_CREDENTIALS", "DIAGNOSIS_CODE_INVALID_CREDENTIALS" (any case)
// or a documented case id ("m365-smtp-auth"). Empty if none.
std::vector<channelverify::v1::CatalogEntry> FindCatalogEntries(
    const channelverify::v1::ListDiagnosesResponse& catalog, std::string_view code);
// The code without its DIAGNOSIS_CODE_ prefix; "" for guidance entries.
std::string ShortCode(channelverify::v1::DiagnosisCode code);

std::string RenderCatalogList(const channelverify::v1::ListDiagnosesResponse& catalog,
                              const Style& style);
std::string RenderCatalogEntries(const std::vector<channelverify::v1::CatalogEntry>& entries,
                                 const Style& style);
// "| Code | Severity | Case | Meaning |" with one row per entry.
std::string RenderCatalogMarkdown(const channelverify::v1::ListDiagnosesResponse& catalog);

// Proto3 JSON (lowerCamel names, enums by name), indented, with a final newline.
std::string ToJson(const google::protobuf::Message& message);

}  // namespace channelctl
