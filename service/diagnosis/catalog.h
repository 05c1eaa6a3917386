#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "channelverify/v1/channel_verifier.pb.h"
#include "common/lang.h"
#include "diagnosis/finding.h"

namespace cv::diagnosis {

// One entry of the catalog. Guidance entries of the help article that no probe can produce
// ("edit-needs-fallback", "check-setup") have code DIAGNOSIS_CODE_UNSPECIFIED.
struct CatalogEntry {
  DiagnosisCode code;
  std::string_view documented_case;  // "" for technical codes
  Severity severity;                 // default severity
  std::string_view title_en;
  std::string_view title_de;
  std::string_view remediation_en;  // may hold {egress_ips}
  std::string_view remediation_de;
};

// A more precise remediation for one code (selected by Finding::variant).
struct CatalogVariant {
  DiagnosisCode code;
  std::string_view variant;
  std::string_view remediation_en;
  std::string_view remediation_de;
  // Optional: a title that fits the variant better than the entry's ("" keeps the entry's).
  std::string_view title_en = {};
  std::string_view title_de = {};
};

// The IPs of the help article as --egress_ips takes them: that option's default
// (probe/engine_options.h), and what "{egress_ips}" becomes when a RenderContext carries none
// (an empty list would leave a sentence without its point).
inline constexpr char kArticleEgressIps[] = "3.121.59.239,3.65.146.216,18.158.122.164";

// One entry of an --egress_ips list as the texts quote it: a bare address becomes a /32 (IPv4)
// or /128 (IPv6) range.
std::string EgressRange(std::string_view ip);

// kArticleEgressIps as ranges.
std::span<const std::string> DefaultEgressIps();

// Values substituted into remediation texts.
struct RenderContext {
  std::vector<std::string> egress_ips;  // "{egress_ips}": the IPs customers must allowlist
};

// The IPs that "{egress_ips}" becomes: the context's, else DefaultEgressIps().
std::vector<std::string> EgressIps(const RenderContext& ctx);

// Every entry, in code order, guidance entries last.
std::span<const CatalogEntry> Catalog();
std::span<const CatalogVariant> CatalogVariants();
// nullptr for codes without an entry (UNSPECIFIED).
const CatalogEntry* FindEntry(DiagnosisCode code);
// The first entry of a documented case ("check-setup", "ip-allowlist", ...); nullptr if none.
const CatalogEntry* FindCase(std::string_view documented_case);
// nullptr when the code has no variant of that name.
const CatalogVariant* FindVariant(DiagnosisCode code, std::string_view variant);

// True when the code's remediation asks to change the channel: then it starts with the
// article's edit step (EditFirstStep).
bool RemediationChangesChannel(DiagnosisCode code);
// "Switch to the platform's own email service while you edit", in a language.
std::string_view EditFirstStep(Lang lang);
// The article's escalation path: contact support, say which solutions were tried.
std::string_view Escalation(Lang lang);

// The catalog entry in a language, with placeholders filled, and every variant of its code.
channelverify::v1::CatalogEntry RenderEntry(const CatalogEntry& entry, Lang lang,
                                            const RenderContext& ctx);
// A finding in a language: title, remediation (of its variant, if any), severity (the
// finding's or the catalog default), case, evidence, confidence, probe.
channelverify::v1::Diagnosis Render(const Finding& finding, Lang lang, const RenderContext& ctx);

}  // namespace cv::diagnosis
