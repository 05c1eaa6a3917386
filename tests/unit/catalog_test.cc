#include "diagnosis/catalog.h"

#include <gtest/gtest.h>

#include <cctype>
#include <map>
#include <set>
#include <string>
#include <string_view>

namespace cv::diagnosis {
namespace {

namespace pb = channelverify::v1;

std::string CodeName(DiagnosisCode code) { return pb::DiagnosisCode_Name(code); }

// A remediation as rendered: the article's edit step first where the text changes the channel.
std::string Rendered(DiagnosisCode code, std::string_view text, Lang lang) {
  std::string out;
  if (RemediationChangesChannel(code)) out.append(EditFirstStep(lang));
  out.append(text);
  return out;
}

TEST(CatalogTest, EveryDiagnosisCodeHasACompleteEntry) {
  const google::protobuf::EnumDescriptor* codes = pb::DiagnosisCode_descriptor();
  // 0, the 41 codes of the contract, SendTest's two, issue 16's five and AUTH_NOT_ATTEMPTED; a
  // new code must get an entry (and this number).
  ASSERT_EQ(codes->value_count(), 50);
  for (int i = 0; i < codes->value_count(); ++i) {
    const auto code = static_cast<DiagnosisCode>(codes->value(i)->number());
    if (code == pb::DIAGNOSIS_CODE_UNSPECIFIED) continue;
    SCOPED_TRACE(CodeName(code));
    const CatalogEntry* entry = FindEntry(code);
    ASSERT_NE(entry, nullptr);
    EXPECT_EQ(entry->code, code);
    EXPECT_NE(entry->severity, pb::SEVERITY_UNSPECIFIED);
    EXPECT_FALSE(entry->title_en.empty());
    EXPECT_FALSE(entry->title_de.empty());
    EXPECT_FALSE(entry->remediation_en.empty());
    EXPECT_FALSE(entry->remediation_de.empty());
    EXPECT_NE(entry->title_en, entry->title_de);
    EXPECT_NE(entry->remediation_en, entry->remediation_de);
  }
  EXPECT_EQ(FindEntry(pb::DIAGNOSIS_CODE_UNSPECIFIED), nullptr);
}

TEST(CatalogTest, EntriesInCodeOrderGuidanceLast) {
  int previous = 0;
  bool in_guidance = false;
  for (const CatalogEntry& entry : Catalog()) {
    if (entry.code == pb::DIAGNOSIS_CODE_UNSPECIFIED) {
      in_guidance = true;
      EXPECT_FALSE(entry.documented_case.empty()) << entry.title_en;
      continue;
    }
    EXPECT_FALSE(in_guidance) << CodeName(entry.code) << " after a guidance entry";
    EXPECT_GT(entry.code, previous) << CodeName(entry.code);
    previous = entry.code;
  }
  EXPECT_TRUE(in_guidance);
}

// The case ids and their codes, as the help article's documented cases have them
// (docs/diagnosis-sources.md).
TEST(CatalogTest, DocumentedCasesOfTheArticleAreMapped) {
  const std::map<DiagnosisCode, std::string_view> expected = {
      {pb::DIAGNOSIS_CODE_GOOGLE_SMTP_UNSUPPORTED, "google-smtp-unsupported"},
      {pb::DIAGNOSIS_CODE_PROVIDER_SMTP_RETIRING, "provider-smtp-retiring"},
      {pb::DIAGNOSIS_CODE_SHARED_MAILBOX, "shared-mailbox"},
      {pb::DIAGNOSIS_CODE_IP_NOT_ALLOWLISTED, "ip-allowlist"},
      {pb::DIAGNOSIS_CODE_EXTERNAL_APPS_BLOCKED, "external-apps"},
      {pb::DIAGNOSIS_CODE_INVALID_CREDENTIALS, "credentials"},
      {pb::DIAGNOSIS_CODE_SERVER_UNREACHABLE, "unreachable"},
      {pb::DIAGNOSIS_CODE_M365_SMTP_AUTH_DISABLED, "m365-smtp-auth"},
      {pb::DIAGNOSIS_CODE_ENTRA_SECURITY_DEFAULTS, "entra-security-defaults"},
      {pb::DIAGNOSIS_CODE_INTEGRATION_SHARED_MAILBOX, "integration-account"},
      {pb::DIAGNOSIS_CODE_INTEGRATION_NOT_ADMIN, "integration-account"},
      {pb::DIAGNOSIS_CODE_INTEGRATION_NOT_LICENSED, "integration-account"},
  };
  for (const CatalogEntry& entry : Catalog()) {
    if (entry.code == pb::DIAGNOSIS_CODE_UNSPECIFIED) continue;
    auto it = expected.find(entry.code);
    // Technical codes belong to no case of the article.
    const std::string_view want = it == expected.end() ? "" : it->second;
    EXPECT_EQ(entry.documented_case, want) << CodeName(entry.code);
  }
  for (std::string_view id : {"check-setup", "edit-needs-fallback"}) {
    const CatalogEntry* entry = FindCase(id);
    ASSERT_NE(entry, nullptr) << id;
    EXPECT_EQ(entry->code, pb::DIAGNOSIS_CODE_UNSPECIFIED) << id;
  }
  std::set<std::string_view> all_cases;
  for (const CatalogEntry& entry : Catalog()) all_cases.insert(entry.documented_case);
  all_cases.erase("");
  EXPECT_EQ(all_cases.size(), 12u);  // the twelve case ids of the help article
  EXPECT_EQ(FindCase("no-such-case"), nullptr);
  EXPECT_EQ(FindCase(""), nullptr);
}

TEST(CatalogTest, GuidanceIsTrueToTheArticle) {
  const CatalogEntry* setup = FindCase("check-setup");
  ASSERT_NE(setup, nullptr);
  EXPECT_NE(setup->remediation_de.find("Recruiting > Allgemein"), std::string_view::npos);
  EXPECT_NE(setup->remediation_en.find("Settings > Recruiting > General"), std::string_view::npos);
  const CatalogEntry* edit = FindCase("edit-needs-fallback");
  ASSERT_NE(edit, nullptr);
  EXPECT_NE(edit->remediation_de.find("vorübergehend"), std::string_view::npos);
  EXPECT_NE(edit->remediation_en.find("temporarily"), std::string_view::npos);
  EXPECT_NE(edit->remediation_en.find("own email service"), std::string_view::npos);
}

// The article addresses the reader formally; a remediation without "Sie"/"Ihr" is either not
// an instruction or slipped into another register.
TEST(CatalogTest, GermanTextsUseTheFormalRegister) {
  auto formal = [](std::string_view text) {
    for (std::string_view word :
         {"Sie", "Ihr", "Ihre", "Ihrem", "Ihren", "Ihrer", "Ihres", "Ihnen"}) {
      // A word of its own: "Sie" in "Prüfen Sie," but not in "Sieb".
      for (size_t at = text.find(word); at != std::string_view::npos;
           at = text.find(word, at + 1)) {
        const size_t end = at + word.size();
        if (end == text.size() || !std::islower(static_cast<unsigned char>(text[end]))) {
          return true;
        }
      }
    }
    return false;
  };
  for (const CatalogEntry& entry : Catalog()) {
    EXPECT_TRUE(formal(entry.remediation_de)) << entry.title_en;
    EXPECT_EQ(entry.remediation_de.find(" du "), std::string_view::npos) << entry.title_en;
    EXPECT_EQ(entry.remediation_de.find(" dein"), std::string_view::npos) << entry.title_en;
  }
  for (const CatalogVariant& v : CatalogVariants()) {
    EXPECT_TRUE(formal(v.remediation_de)) << v.variant;
  }
}

TEST(CatalogTest, ProviderSmtpCasesRecommendTheDirectIntegration) {
  for (DiagnosisCode code :
       {pb::DIAGNOSIS_CODE_GOOGLE_SMTP_UNSUPPORTED, pb::DIAGNOSIS_CODE_PROVIDER_SMTP_RETIRING,
        pb::DIAGNOSIS_CODE_M365_SMTP_AUTH_DISABLED, pb::DIAGNOSIS_CODE_ENTRA_SECURITY_DEFAULTS}) {
    const CatalogEntry* entry = FindEntry(code);
    ASSERT_NE(entry, nullptr);
    EXPECT_NE(entry->remediation_en.find("direct integration"), std::string_view::npos)
        << CodeName(code);
    EXPECT_NE(entry->remediation_de.find("direkte"), std::string_view::npos) << CodeName(code);
  }
  // Every variant of those codes, and of a password sign-in to Google or Microsoft.
  for (const CatalogVariant& v : CatalogVariants()) {
    const bool provider_code = v.code == pb::DIAGNOSIS_CODE_GOOGLE_SMTP_UNSUPPORTED ||
                               v.code == pb::DIAGNOSIS_CODE_PROVIDER_SMTP_RETIRING ||
                               v.code == pb::DIAGNOSIS_CODE_M365_SMTP_AUTH_DISABLED ||
                               v.code == pb::DIAGNOSIS_CODE_ENTRA_SECURITY_DEFAULTS;
    if (!provider_code && v.variant != "google" && v.variant != "ms-ambiguous") continue;
    EXPECT_NE(v.remediation_en.find("direct integration"), std::string_view::npos) << v.variant;
    EXPECT_NE(v.remediation_de.find("direkte"), std::string_view::npos) << v.variant;
  }
}

TEST(CatalogTest, RequiredVariantsExist) {
  const std::pair<DiagnosisCode, std::string_view> required[] = {
      {pb::DIAGNOSIS_CODE_M365_SMTP_AUTH_DISABLED, "tenant"},
      {pb::DIAGNOSIS_CODE_M365_SMTP_AUTH_DISABLED, "mailbox"},
      {pb::DIAGNOSIS_CODE_INVALID_CREDENTIALS, "ms-ambiguous"},
      {pb::DIAGNOSIS_CODE_INVALID_CREDENTIALS, "google"},
      {pb::DIAGNOSIS_CODE_INVALID_CREDENTIALS, "ms-xoauth2"},
      {pb::DIAGNOSIS_CODE_PROVIDER_SMTP_RETIRING, "microsoft-basic-auth-ending"},
      {pb::DIAGNOSIS_CODE_PROVIDER_SMTP_RETIRING, "basic-auth-disabled"},
  };
  for (const auto& [code, name] : required) {
    const CatalogVariant* v = FindVariant(code, name);
    ASSERT_NE(v, nullptr) << CodeName(code) << " " << name;
    EXPECT_FALSE(v->remediation_en.empty());
    EXPECT_FALSE(v->remediation_de.empty());
  }
  std::set<std::pair<int, std::string_view>> seen;
  for (const CatalogVariant& v : CatalogVariants()) {
    EXPECT_NE(FindEntry(v.code), nullptr) << v.variant;
    EXPECT_TRUE(seen.emplace(v.code, v.variant).second) << "duplicate " << v.variant;
    EXPECT_EQ(v.title_en.empty(), v.title_de.empty()) << v.variant;
  }
  EXPECT_EQ(FindVariant(pb::DIAGNOSIS_CODE_INVALID_CREDENTIALS, "tenant"), nullptr);
  EXPECT_EQ(FindVariant(pb::DIAGNOSIS_CODE_INVALID_CREDENTIALS, ""), nullptr);
}

TEST(CatalogTest, VariantsSayWhatTheirCaseNeeds) {
  const CatalogVariant* ambiguous =
      FindVariant(pb::DIAGNOSIS_CODE_INVALID_CREDENTIALS, "ms-ambiguous");
  ASSERT_NE(ambiguous, nullptr);
  for (std::string_view cause : {"SMTP AUTH", "shared mailbox", "multi-factor", "conditional"}) {
    EXPECT_NE(ambiguous->remediation_en.find(cause), std::string_view::npos) << cause;
  }
  for (std::string_view cause :
       {"SMTP AUTH", "freigegebenes Postfach", "Multi-Faktor", "bedingten Zugriff"}) {
    EXPECT_NE(ambiguous->remediation_de.find(cause), std::string_view::npos) << cause;
  }
  const CatalogVariant* google = FindVariant(pb::DIAGNOSIS_CODE_INVALID_CREDENTIALS, "google");
  ASSERT_NE(google, nullptr);
  EXPECT_NE(google->remediation_en.find("no longer accepts passwords"), std::string_view::npos);
  EXPECT_NE(google->remediation_de.find("keine Passwörter mehr"), std::string_view::npos);
  const CatalogVariant* ending =
      FindVariant(pb::DIAGNOSIS_CODE_PROVIDER_SMTP_RETIRING, "microsoft-basic-auth-ending");
  ASSERT_NE(ending, nullptr);
  EXPECT_NE(ending->remediation_en.find("end of 2026"), std::string_view::npos);
  EXPECT_NE(ending->remediation_de.find("Ende 2026"), std::string_view::npos);
}

TEST(CatalogTest, EgressIpsPlaceholderIsFilled) {
  const CatalogEntry* entry = FindEntry(pb::DIAGNOSIS_CODE_IP_NOT_ALLOWLISTED);
  ASSERT_NE(entry, nullptr);
  ASSERT_NE(entry->remediation_en.find("{egress_ips}"), std::string_view::npos);
  ASSERT_NE(entry->remediation_de.find("{egress_ips}"), std::string_view::npos);

  RenderContext ctx;
  ctx.egress_ips = {"192.0.2.10/32", "198.51.100.0/24"};
  for (Lang lang : {Lang::kEn, Lang::kDe}) {
    const pb::CatalogEntry rendered = RenderEntry(*entry, lang, ctx);
    EXPECT_NE(rendered.remediation().find("192.0.2.10/32, 198.51.100.0/24"), std::string::npos)
        << rendered.remediation();
    EXPECT_EQ(rendered.remediation().find("{egress_ips}"), std::string::npos);
    EXPECT_EQ(rendered.remediation().find("3.121.59.239"), std::string::npos);
  }

  // Without configured IPs the article's three addresses stand in.
  const pb::CatalogEntry defaults = RenderEntry(*entry, Lang::kDe, RenderContext{});
  EXPECT_NE(defaults.remediation().find("3.121.59.239/32, 3.65.146.216/32, 18.158.122.164/32"),
            std::string::npos)
      << defaults.remediation();
  ASSERT_EQ(DefaultEgressIps().size(), 3u);
  // ListDiagnoses lists the same addresses on their own (egress_ips), for reports.
  EXPECT_EQ(EgressIps(RenderContext{}),
            (std::vector<std::string>{"3.121.59.239/32", "3.65.146.216/32", "18.158.122.164/32"}));
  EXPECT_EQ(EgressIps(ctx), ctx.egress_ips);
}

TEST(CatalogTest, NoRenderedTextKeepsAPlaceholder) {
  RenderContext ctx;
  ctx.egress_ips = {"192.0.2.10/32"};
  for (Lang lang : {Lang::kEn, Lang::kDe}) {
    for (const CatalogEntry& entry : Catalog()) {
      const pb::CatalogEntry r = RenderEntry(entry, lang, ctx);
      EXPECT_EQ(r.title().find_first_of("{}"), std::string::npos) << r.title();
      EXPECT_EQ(r.remediation().find_first_of("{}"), std::string::npos) << r.remediation();
    }
    for (const CatalogVariant& v : CatalogVariants()) {
      Finding f;
      f.code = v.code;
      f.variant = std::string(v.variant);
      const pb::Diagnosis d = Render(f, lang, ctx);
      EXPECT_EQ(d.remediation().find_first_of("{}"), std::string::npos) << d.remediation();
    }
  }
}

TEST(CatalogTest, RenderEntryFillsEveryField) {
  const CatalogEntry* entry = FindEntry(pb::DIAGNOSIS_CODE_M365_SMTP_AUTH_DISABLED);
  ASSERT_NE(entry, nullptr);
  const pb::CatalogEntry de = RenderEntry(*entry, Lang::kDe, RenderContext{});
  EXPECT_EQ(de.code(), pb::DIAGNOSIS_CODE_M365_SMTP_AUTH_DISABLED);
  EXPECT_EQ(de.documented_case(), "m365-smtp-auth");
  EXPECT_EQ(de.severity(), pb::SEVERITY_ERROR);
  EXPECT_EQ(de.title(), entry->title_de);
  EXPECT_EQ(de.remediation(), Rendered(entry->code, entry->remediation_de, Lang::kDe));
  EXPECT_EQ(de.escalation(), Escalation(Lang::kDe));
  ASSERT_EQ(de.variants_size(), 2);
  EXPECT_EQ(de.variants(0).variant(), "tenant");
  EXPECT_EQ(de.variants(1).variant(), "mailbox");

  const CatalogEntry* guidance = FindCase("edit-needs-fallback");
  ASSERT_NE(guidance, nullptr);
  const pb::CatalogEntry en = RenderEntry(*guidance, Lang::kEn, RenderContext{});
  EXPECT_EQ(en.code(), pb::DIAGNOSIS_CODE_UNSPECIFIED);
  EXPECT_EQ(en.documented_case(), "edit-needs-fallback");
  EXPECT_EQ(en.title(), guidance->title_en);
}

TEST(CatalogTest, RenderPicksLanguageAndCopiesTheFinding) {
  Finding f;
  f.code = pb::DIAGNOSIS_CODE_SHARED_MAILBOX;
  f.confidence = 0.6;
  f.evidence = {"MAIL FROM: 530 5.7.57 Client not authenticated to send mail."};
  f.probe = "smtp.send";
  const CatalogEntry* entry = FindEntry(f.code);
  ASSERT_NE(entry, nullptr);

  const pb::Diagnosis en = Render(f, Lang::kEn, RenderContext{});
  EXPECT_EQ(en.code(), f.code);
  EXPECT_EQ(en.title(), entry->title_en);
  EXPECT_EQ(en.remediation(), Rendered(f.code, entry->remediation_en, Lang::kEn));
  EXPECT_EQ(en.documented_case(), "shared-mailbox");
  EXPECT_EQ(en.escalation(), Escalation(Lang::kEn));
  EXPECT_TRUE(en.variant().empty());
  EXPECT_EQ(en.severity(), entry->severity);  // finding left it unspecified
  EXPECT_DOUBLE_EQ(en.confidence(), 0.6);
  EXPECT_EQ(en.probe(), "smtp.send");
  ASSERT_EQ(en.evidence_size(), 1);
  EXPECT_EQ(en.evidence(0), f.evidence[0]);

  const pb::Diagnosis de = Render(f, Lang::kDe, RenderContext{});
  EXPECT_EQ(de.title(), entry->title_de);
  EXPECT_EQ(de.remediation(), Rendered(f.code, entry->remediation_de, Lang::kDe));
  EXPECT_EQ(de.escalation(), Escalation(Lang::kDe));
}

TEST(CatalogTest, RenderPicksTheVariantAndItsSeverity) {
  Finding f;
  f.code = pb::DIAGNOSIS_CODE_PROVIDER_SMTP_RETIRING;
  f.variant = "basic-auth-disabled";
  f.severity = pb::SEVERITY_ERROR;
  const CatalogVariant* v = FindVariant(f.code, f.variant);
  ASSERT_NE(v, nullptr);
  const CatalogEntry* entry = FindEntry(f.code);
  ASSERT_NE(entry, nullptr);
  ASSERT_EQ(entry->severity, pb::SEVERITY_WARNING);

  const pb::Diagnosis de = Render(f, Lang::kDe, RenderContext{});
  EXPECT_EQ(de.remediation(), Rendered(f.code, v->remediation_de, Lang::kDe));
  EXPECT_EQ(de.title(), v->title_de);
  EXPECT_EQ(de.variant(), "basic-auth-disabled");
  EXPECT_EQ(de.severity(), pb::SEVERITY_ERROR);  // the finding's, not the default
  EXPECT_EQ(de.documented_case(), "provider-smtp-retiring");

  const pb::Diagnosis en = Render(f, Lang::kEn, RenderContext{});
  EXPECT_EQ(en.remediation(), Rendered(f.code, v->remediation_en, Lang::kEn));

  // A variant without its own title keeps the entry's.
  Finding google;
  google.code = pb::DIAGNOSIS_CODE_INVALID_CREDENTIALS;
  google.variant = "google";
  const CatalogVariant* gv = FindVariant(google.code, google.variant);
  ASSERT_NE(gv, nullptr);
  ASSERT_TRUE(gv->title_en.empty());
  const pb::Diagnosis g = Render(google, Lang::kEn, RenderContext{});
  EXPECT_EQ(g.title(), FindEntry(google.code)->title_en);
  EXPECT_EQ(g.remediation(), Rendered(google.code, gv->remediation_en, Lang::kEn));
}

TEST(CatalogTest, RenderToleratesUnknownVariantsAndCodes) {
  Finding f;
  f.code = pb::DIAGNOSIS_CODE_INVALID_CREDENTIALS;
  f.variant = "no-such-variant";
  const pb::Diagnosis d = Render(f, Lang::kEn, RenderContext{});
  EXPECT_EQ(d.remediation(), Rendered(f.code, FindEntry(f.code)->remediation_en, Lang::kEn));
  EXPECT_TRUE(d.variant().empty());  // only variants the catalog lists are named

  Finding unknown;
  unknown.evidence = {"x"};
  const pb::Diagnosis u = Render(unknown, Lang::kDe, RenderContext{});
  EXPECT_EQ(u.code(), pb::DIAGNOSIS_CODE_UNSPECIFIED);
  EXPECT_EQ(u.evidence_size(), 1);
  EXPECT_TRUE(u.title().empty());
}

// ListDiagnoses lists every variant, rendered exactly as a diagnosis with that variant is.
TEST(CatalogTest, EntriesListEveryVariantAsDiagnosesRenderIt) {
  size_t listed = 0;
  for (Lang lang : {Lang::kEn, Lang::kDe}) {
    for (const CatalogEntry& entry : Catalog()) {
      const pb::CatalogEntry r = RenderEntry(entry, lang, RenderContext{});
      for (const pb::CatalogVariant& v : r.variants()) {
        ++listed;
        Finding f;
        f.code = entry.code;
        f.variant = v.variant();
        const pb::Diagnosis d = Render(f, lang, RenderContext{});
        EXPECT_EQ(d.variant(), v.variant());
        EXPECT_EQ(d.title(), v.title()) << v.variant();
        EXPECT_EQ(d.remediation(), v.remediation()) << v.variant();
      }
    }
  }
  EXPECT_EQ(listed, 2 * CatalogVariants().size());
}

TEST(CatalogTest, EscalationIsTheArticlesInBothLanguages) {
  EXPECT_NE(Escalation(Lang::kEn).find("support team"), std::string_view::npos);
  EXPECT_NE(Escalation(Lang::kEn).find("already tried"), std::string_view::npos);
  EXPECT_NE(Escalation(Lang::kDe).find("Support-Team"), std::string_view::npos);
  EXPECT_NE(Escalation(Lang::kDe).find("bereits ausprobiert"), std::string_view::npos);
  for (const CatalogEntry& entry : Catalog()) {
    EXPECT_EQ(RenderEntry(entry, Lang::kDe, RenderContext{}).escalation(), Escalation(Lang::kDe));
    EXPECT_EQ(RenderEntry(entry, Lang::kEn, RenderContext{}).escalation(), Escalation(Lang::kEn));
  }
}

// The article's edit case: whatever asks to change the channel's settings or to connect it
// again starts by switching to the platform's own email service meanwhile.
TEST(CatalogTest, RemediationsThatChangeTheChannelSwitchToThePlatformServiceFirst) {
  EXPECT_NE(EditFirstStep(Lang::kEn).find("own email service"), std::string_view::npos);
  EXPECT_NE(EditFirstStep(Lang::kDe).find("E-Mail-Dienst der Recruiting-Plattform"),
            std::string_view::npos);
  auto edits = [](std::string_view en) {
    for (std::string_view marker : {"recruiting email settings",
                                    "connect the direct integration "
                                    "again",
                                    "connect the integration again", "Change port",
                                    "Check the port", "Check the host name"}) {
      if (en.find(marker) != std::string_view::npos) return true;
    }
    return false;
  };
  for (const CatalogEntry& entry : Catalog()) {
    if (entry.code == pb::DIAGNOSIS_CODE_UNSPECIFIED) continue;
    SCOPED_TRACE(CodeName(entry.code));
    if (edits(entry.remediation_en)) EXPECT_TRUE(RemediationChangesChannel(entry.code));
    for (Lang lang : {Lang::kEn, Lang::kDe}) {
      const std::string r = RenderEntry(entry, lang, RenderContext{}).remediation();
      EXPECT_EQ(r.starts_with(EditFirstStep(lang)), RemediationChangesChannel(entry.code));
    }
  }
  for (const CatalogVariant& v : CatalogVariants()) {
    if (edits(v.remediation_en)) EXPECT_TRUE(RemediationChangesChannel(v.code)) << v.variant;
  }
  // Waiting, or the server operator's work, changes nothing in the channel.
  for (DiagnosisCode code :
       {pb::DIAGNOSIS_CODE_SERVER_THROTTLING, pb::DIAGNOSIS_CODE_TEMPORARY_FAILURE,
        pb::DIAGNOSIS_CODE_TLS_CERTIFICATE_EXPIRING, pb::DIAGNOSIS_CODE_SMTP_OAUTH_UNAVAILABLE}) {
    EXPECT_FALSE(RemediationChangesChannel(code)) << CodeName(code);
  }
}

TEST(CatalogTest, MicrosoftTextsNameTheStepsAndTheDefault) {
  const CatalogVariant* mailbox =
      FindVariant(pb::DIAGNOSIS_CODE_M365_SMTP_AUTH_DISABLED, "mailbox");
  ASSERT_NE(mailbox, nullptr);
  EXPECT_NE(mailbox->remediation_de.find("Aktive Benutzer > Benutzer auswählen > E-Mail"),
            std::string_view::npos);
  EXPECT_EQ(mailbox->remediation_de.find("> Nutzende >"), std::string_view::npos);
  EXPECT_NE(mailbox->remediation_en.find("Active users > select the user > Mail"),
            std::string_view::npos);
  const CatalogVariant* ending =
      FindVariant(pb::DIAGNOSIS_CODE_PROVIDER_SMTP_RETIRING, "microsoft-basic-auth-ending");
  ASSERT_NE(ending, nullptr);
  EXPECT_NE(ending->remediation_en.find("off by default"), std::string_view::npos);
  EXPECT_NE(ending->remediation_de.find("standardmäßig ab"), std::string_view::npos);
  EXPECT_EQ(ending->remediation_en.find("can no longer send"), std::string_view::npos);
  EXPECT_EQ(ending->remediation_de.find("nicht mehr gesendet"), std::string_view::npos);
}

}  // namespace
}  // namespace cv::diagnosis
