// channelctl's pure parts: argument parsing, the CHANNEL syntax, secrets, rendering.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "channelctl/args.h"
#include "channelctl/channel.h"
#include "channelctl/render.h"
#include "diagnosis/probe_names.h"

namespace channelctl {
namespace {
namespace v1 = channelverify::v1;

std::optional<Args> ParseLine(std::vector<std::string> argv, std::string* error = nullptr) {
  std::string ignored;
  const CommandDef* command = nullptr;
  return Parse(argv, error ? error : &ignored, &command);
}

TEST(ChannelctlArgs, FlagsBeforeAndAfterTheCommand) {
  auto args = ParseLine(
      {"--server", "10.0.0.1:50051", "verify", "smtp://h", "--from=a@b.test", "--no-timing"});
  ASSERT_TRUE(args);
  EXPECT_EQ(args->command->name, "verify");
  EXPECT_EQ(args->Get("server"), "10.0.0.1:50051");
  EXPECT_EQ(args->Get("from"), "a@b.test");
  EXPECT_TRUE(args->Has("no-timing"));
  EXPECT_EQ(args->positional, std::vector<std::string>{"smtp://h"});
}

TEST(ChannelctlArgs, CommandFlagBeforeTheCommandIsCheckedAgainstIt) {
  EXPECT_TRUE(ParseLine({"--to", "x@y.test", "send-test", "smtp://h"}));
  std::string error;
  EXPECT_FALSE(ParseLine({"--to", "x@y.test", "verify", "smtp://h"}, &error));
  EXPECT_NE(error.find("--to"), std::string::npos) << error;
}

TEST(ChannelctlArgs, ServerFlagSpellingIsAccepted) {
  auto args = ParseLine({"verify", "smtp://h", "--allow_cidrs=127.0.0.0/8"});
  ASSERT_TRUE(args);
  EXPECT_EQ(args->Get("allow-cidrs"), "127.0.0.0/8");
}

TEST(ChannelctlArgs, LocalOAuthFlagsInBothSpellings) {
  auto args = ParseLine({"--local", "--google_client_id=cid", "--microsoft-graph-base",
                         "https://127.0.0.1:8443", "verify", "google", "--google-smtp-host="});
  ASSERT_TRUE(args);
  EXPECT_EQ(args->Get("google-client-id"), "cid");
  EXPECT_EQ(args->Get("microsoft-graph-base"), "https://127.0.0.1:8443");
  EXPECT_TRUE(args->Has("google-smtp-host"));
  EXPECT_EQ(args->Get("google-smtp-host", "unset"), "");
}

TEST(ChannelctlArgs, UsageErrors) {
  std::string error;
  EXPECT_FALSE(ParseLine({}, &error));
  EXPECT_FALSE(ParseLine({"frobnicate"}, &error));
  EXPECT_NE(error.find("unknown command"), std::string::npos);
  EXPECT_FALSE(ParseLine({"verify"}, &error));
  EXPECT_NE(error.find("missing CHANNEL"), std::string::npos);
  EXPECT_FALSE(ParseLine({"verify", "a", "b"}, &error));
  EXPECT_FALSE(ParseLine({"verify", "smtp://h", "--bogus"}, &error));
  EXPECT_NE(error.find("unknown flag --bogus"), std::string::npos);
  EXPECT_FALSE(ParseLine({"verify", "smtp://h", "--from"}, &error));
  EXPECT_NE(error.find("needs a value"), std::string::npos);
  EXPECT_FALSE(ParseLine({"health", "--local=yes"}, &error));
  EXPECT_FALSE(ParseLine({"health", "-x"}, &error));
}

TEST(ChannelctlArgs, PasswordFlagIsRefusedWithTheWayOut) {
  std::string error;
  EXPECT_FALSE(ParseLine({"verify", "smtp://u@h", "--password", "hunter2"}, &error));
  EXPECT_NE(error.find("shell history"), std::string::npos) << error;
  EXPECT_NE(error.find("--password-file"), std::string::npos) << error;
  EXPECT_NE(error.find("CHANNELCTL_PASSWORD"), std::string::npos) << error;
  EXPECT_EQ(error.find("hunter2"), std::string::npos) << error;
  EXPECT_FALSE(ParseLine({"verify", "google", "--refresh-token=abc"}, &error));
  EXPECT_NE(error.find("CHANNELCTL_REFRESH_TOKEN"), std::string::npos) << error;
}

TEST(ChannelctlArgs, HelpEverywhere) {
  for (const auto& c : Commands()) {
    auto args = ParseLine({std::string(c.name), "--help"});
    ASSERT_TRUE(args) << c.name;
    EXPECT_TRUE(args->help);
    const std::string help = CommandHelp(c);
    EXPECT_NE(help.find("Usage: channelctl " + std::string(c.name)), std::string::npos);
    for (const auto& f : c.flags)
      EXPECT_NE(help.find("--" + std::string(f.name)), std::string::npos);
  }
  EXPECT_TRUE(ParseLine({"--help"})->help);
  EXPECT_TRUE(ParseLine({"help"})->help);
  EXPECT_NE(MainHelp().find("send-test"), std::string::npos);
}

TEST(ChannelctlArgs, Durations) {
  EXPECT_EQ(ParseDurationMs("30s"), 30000);
  EXPECT_EQ(ParseDurationMs("1500ms"), 1500);
  EXPECT_EQ(ParseDurationMs("2m"), 120000);
  EXPECT_EQ(ParseDurationMs("45"), 45000);
  EXPECT_FALSE(ParseDurationMs("0"));
  EXPECT_FALSE(ParseDurationMs("-1s"));
  EXPECT_FALSE(ParseDurationMs("1h"));
  EXPECT_FALSE(ParseDurationMs("s"));
}

TEST(ChannelctlChannel, SmtpUrl) {
  v1::Channel channel;
  std::string error;
  ASSERT_TRUE(ParseChannel("smtp://jobs%40example.com@smtp.example.com:2525?tls=implicit", &channel,
                           &error))
      << error;
  EXPECT_EQ(channel.smtp().username(), "jobs@example.com");
  EXPECT_EQ(channel.smtp().host(), "smtp.example.com");
  EXPECT_EQ(channel.smtp().port(), 2525u);
  EXPECT_EQ(channel.smtp().tls_mode(), v1::TLS_MODE_IMPLICIT);

  ASSERT_TRUE(ParseChannel("smtp://mail.example.com", &channel, &error));
  EXPECT_EQ(channel.smtp().port(), 0u);  // the server picks the default of the TLS mode
  EXPECT_EQ(channel.smtp().tls_mode(), v1::TLS_MODE_STARTTLS);
  EXPECT_TRUE(channel.smtp().username().empty());

  ASSERT_TRUE(ParseChannel("SMTPS://[::1]:465", &channel, &error));
  EXPECT_EQ(channel.smtp().host(), "::1");
  EXPECT_EQ(channel.smtp().tls_mode(), v1::TLS_MODE_IMPLICIT);

  // An unencoded address as user still means what the engineer meant.
  ASSERT_TRUE(ParseChannel("smtp://jobs@example.com@h.test?TLS=none", &channel, &error));
  EXPECT_EQ(channel.smtp().username(), "jobs@example.com");
  EXPECT_EQ(channel.smtp().tls_mode(), v1::TLS_MODE_NONE);
}

TEST(ChannelctlChannel, OAuth) {
  v1::Channel channel;
  std::string error;
  ASSERT_TRUE(ParseChannel("Microsoft", &channel, &error));
  EXPECT_EQ(channel.oauth().provider(), v1::PROVIDER_MICROSOFT);
  ASSERT_TRUE(ParseChannel("google", &channel, &error));
  EXPECT_EQ(channel.oauth().provider(), v1::PROVIDER_GOOGLE);
}

TEST(ChannelctlChannel, Rejects) {
  v1::Channel channel;
  std::string error;
  for (const char* bad : {"imap://h", "h.example.com", "smtp://", "smtp://u:secret@h", "smtp://h:0",
                          "smtp://h:70000", "smtp://h:25x", "smtp://h?tls=maybe", "smtp://h?port=1",
                          "smtp://[::1", "smtp://h/path", "smtp://u%4@h", "smtp://h:"}) {
    EXPECT_FALSE(ParseChannel(bad, &channel, &error)) << bad;
    EXPECT_EQ(error.find("secret"), std::string::npos) << error;
  }
}

SecretSources FakeSources(std::map<std::string, std::string> env, bool terminal = false) {
  SecretSources s;
  s.env = [env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  s.prompt = [terminal](const std::string&) -> std::optional<std::string> {
    if (!terminal) return std::nullopt;
    return std::string("typed-secret");
  };
  return s;
}

std::string WriteTemp(const std::string& name, const std::string& content) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("channelctl-test-" + std::to_string(getpid()) + "-" + name);
  std::ofstream(path) << content;
  return path.string();
}

TEST(ChannelctlChannel, PasswordSourcesInOrder) {
  const std::string file = WriteTemp("pw", "from-file\r\nsecond line\n");
  v1::Channel channel;
  std::string error;
  auto args = ParseLine({"verify", "smtp://u@h", "--password-file", file, "--from", "u@h.test"});
  ASSERT_TRUE(ParseChannel("smtp://u@h", &channel, &error));
  ASSERT_TRUE(
      CompleteChannel(*args, FakeSources({{"CHANNELCTL_PASSWORD", "from-env"}}), &channel, &error))
      << error;
  EXPECT_EQ(channel.smtp().password(), "from-file");
  EXPECT_EQ(channel.smtp().from_address(), "u@h.test");

  args = ParseLine({"verify", "smtp://u@h"});
  ASSERT_TRUE(ParseChannel("smtp://u@h", &channel, &error));
  ASSERT_TRUE(
      CompleteChannel(*args, FakeSources({{"CHANNELCTL_PASSWORD", "from-env"}}), &channel, &error));
  EXPECT_EQ(channel.smtp().password(), "from-env");

  ASSERT_TRUE(ParseChannel("smtp://u@h", &channel, &error));
  ASSERT_TRUE(CompleteChannel(*args, FakeSources({}, /*terminal=*/true), &channel, &error));
  EXPECT_EQ(channel.smtp().password(), "typed-secret");

  ASSERT_TRUE(ParseChannel("smtp://u@h", &channel, &error));
  EXPECT_FALSE(CompleteChannel(*args, FakeSources({}), &channel, &error));
  EXPECT_NE(error.find("--password-file"), std::string::npos) << error;
  std::filesystem::remove(file);
}

TEST(ChannelctlChannel, MissingPasswordFileIsAnError) {
  v1::Channel channel;
  std::string error;
  auto args = ParseLine({"verify", "smtp://u@h", "--password-file", "/nonexistent/pw"});
  ASSERT_TRUE(ParseChannel("smtp://u@h", &channel, &error));
  EXPECT_FALSE(CompleteChannel(*args, FakeSources({}), &channel, &error));
  EXPECT_NE(error.find("/nonexistent/pw"), std::string::npos);
}

TEST(ChannelctlChannel, OAuthTokens) {
  const std::string file = WriteTemp("rt", "1//refresh\n");
  v1::Channel channel;
  std::string error;
  auto args = ParseLine({"verify", "microsoft", "--account", "a@b.test", "--refresh-token-file",
                         file, "--tenant", "contoso"});
  ASSERT_TRUE(ParseChannel("microsoft", &channel, &error));
  ASSERT_TRUE(CompleteChannel(*args, FakeSources({}), &channel, &error)) << error;
  EXPECT_EQ(channel.oauth().refresh_token(), "1//refresh");
  EXPECT_EQ(channel.oauth().account(), "a@b.test");
  EXPECT_EQ(channel.oauth().tenant_id(), "contoso");

  args = ParseLine({"verify", "google", "--account", "a@b.test", "--tenant", "x"});
  ASSERT_TRUE(ParseChannel("google", &channel, &error));
  EXPECT_FALSE(
      CompleteChannel(*args, FakeSources({{"CHANNELCTL_ACCESS_TOKEN", "ya29"}}), &channel, &error));
  EXPECT_NE(error.find("--tenant"), std::string::npos);

  args = ParseLine({"verify", "google", "--account", "a@b.test"});
  ASSERT_TRUE(ParseChannel("google", &channel, &error));
  ASSERT_TRUE(
      CompleteChannel(*args, FakeSources({{"CHANNELCTL_ACCESS_TOKEN", "ya29"}}), &channel, &error));
  EXPECT_EQ(channel.oauth().access_token(), "ya29");
  ASSERT_TRUE(ParseChannel("google", &channel, &error));
  EXPECT_FALSE(CompleteChannel(*args, FakeSources({}), &channel, &error));

  args = ParseLine({"verify", "smtp://u@h", "--account", "a@b.test"});
  ASSERT_TRUE(ParseChannel("smtp://u@h", &channel, &error));
  EXPECT_FALSE(
      CompleteChannel(*args, FakeSources({{"CHANNELCTL_PASSWORD", "p"}}), &channel, &error));
  std::filesystem::remove(file);
}

TEST(ChannelctlChannel, Describe) {
  v1::Channel channel;
  std::string error;
  ASSERT_TRUE(ParseChannel("smtp://jobs%40example.com@[::1]?tls=implicit", &channel, &error));
  channel.mutable_smtp()->set_password("never-shown");
  EXPECT_EQ(DescribeChannel(channel), "SMTP jobs@example.com @ [::1]:465 implicit TLS");
}

v1::VerifyChannelResponse SampleResponse() {
  v1::VerifyChannelResponse r;
  r.set_verdict(v1::VERDICT_FAIL);
  auto* p = r.add_probes();
  p->set_name("smtp.ehlo");
  p->set_status(v1::PROBE_STATUS_OK);
  p->mutable_duration()->set_nanos(4000000);
  (*p->mutable_facts())[cv::facts::kCapabilities] = "PIPELINING STARTTLS AUTH";
  (*p->mutable_facts())[cv::facts::kAuthMechanisms] = "PLAIN LOGIN";
  (*p->mutable_facts())[cv::facts::kStartTls] = cv::facts::kOffered;
  p = r.add_probes();
  p->set_name("smtp.starttls");
  p->set_status(v1::PROBE_STATUS_OK);
  p->mutable_duration()->set_nanos(12000000);
  (*p->mutable_facts())["tls_version"] = "TLSv1.3";
  (*p->mutable_facts())["cert_verified"] = "true";
  p = r.add_probes();
  p->set_name("smtp.auth");
  p->set_status(v1::PROBE_STATUS_FAILED);
  p->mutable_duration()->set_seconds(1);
  p->mutable_duration()->set_nanos(5000000);
  (*p->mutable_facts())["reply"] = "535 5.7.8 Error: authentication failed";
  p = r.add_probes();
  p->set_name("alt.smtp");
  p->set_status(v1::PROBE_STATUS_SKIPPED);
  p->set_detail("the configured setting works");
  auto* d = r.add_diagnoses();
  d->set_code(v1::DIAGNOSIS_CODE_SHARED_MAILBOX);
  d->set_severity(v1::SEVERITY_WARNING);
  d->set_title("Maybe a shared mailbox");
  d->set_confidence(0.5);
  d = r.add_diagnoses();
  d->set_code(v1::DIAGNOSIS_CODE_INVALID_CREDENTIALS);
  d->set_severity(v1::SEVERITY_ERROR);
  d->set_documented_case("invalid-credentials");
  d->set_title("Username or password rejected");
  d->set_remediation("Check the password.");
  d->set_probe("smtp.auth");
  d->add_evidence("535 5.7.8 Error:\r\n authentication failed");
  r.mutable_elapsed()->set_nanos(20000000);
  return r;
}

TEST(ChannelctlRender, VerifySnapshot) {
  const std::string out = RenderVerify(SampleResponse(), "SMTP u @ h:587 STARTTLS", Style{});
  EXPECT_EQ(out,
            "SMTP u @ h:587 STARTTLS\n"
            "\n"
            "  ✓ smtp.ehlo           4 ms  AUTH PLAIN LOGIN · STARTTLS offered\n"
            "  ✓ smtp.starttls      12 ms  TLSv1.3, certificate verified\n"
            "  ✗ smtp.auth        1005 ms  535 5.7.8 Error: authentication failed\n"
            "  – alt.smtp                  the configured setting works\n"
            "\n"
            "✗ FAIL: the channel does not work (2 diagnoses) in 20 ms\n"
            "\n"
            "✗ Username or password rejected\n"
            "  INVALID_CREDENTIALS · invalid-credentials · probe smtp.auth\n"
            "  What to do: Check the password.\n"
            "  Evidence:\n"
            "    535 5.7.8 Error:\n"
            "     authentication failed\n"
            "\n"
            "! Maybe a shared mailbox\n"
            "  SHARED_MAILBOX · likely, not proven\n");
}

TEST(ChannelctlRender, NoTimingAndNoColourByDefault) {
  Style style;
  style.timing = false;
  const std::string out = RenderVerify(SampleResponse(), "x", style);
  EXPECT_EQ(out.find(" ms"), std::string::npos) << out;
  EXPECT_EQ(out.find('\033'), std::string::npos);
  EXPECT_NE(out.find("  ✗ smtp.auth        535 5.7.8"), std::string::npos) << out;
  style.color = true;
  EXPECT_NE(RenderVerify(SampleResponse(), "x", style).find("\033[31m✗"), std::string::npos);
}

TEST(ChannelctlRender, German) {
  Style style;
  style.german = true;
  const std::string out = RenderVerify(SampleResponse(), "x", style);
  EXPECT_NE(out.find("Was tun: "), std::string::npos);
  EXPECT_NE(out.find("der Kanal funktioniert nicht (2 Diagnosen)"), std::string::npos);
}

TEST(ChannelctlRender, ExitCodes) {
  EXPECT_EQ(ExitCodeFor(v1::VERDICT_PASS), 0);
  EXPECT_EQ(ExitCodeFor(v1::VERDICT_WARN), 1);
  EXPECT_EQ(ExitCodeFor(v1::VERDICT_FAIL), 2);
  EXPECT_EQ(ExitCodeFor(v1::VERDICT_UNSPECIFIED), 2);
}

TEST(ChannelctlRender, KeyFactOfAnEgressProbeIsStable) {
  v1::Probe p;
  p.set_name("egress");
  p.set_status(v1::PROBE_STATUS_OK);
  (*p.mutable_facts())["127.0.0.2"] = "allowed";
  (*p.mutable_facts())["127.0.0.1"] = "allowed";
  EXPECT_EQ(KeyFact(p), "127.0.0.1 allowed, 127.0.0.2 allowed");
}

// The capabilities come from the EHLO probe's own facts, never from parsing its reply.
TEST(ChannelctlRender, EhloCapabilitiesFromTheirFacts) {
  v1::Probe p;
  p.set_name(cv::probes::kSmtpEhlo);
  p.set_status(v1::PROBE_STATUS_OK);
  auto& facts = *p.mutable_facts();
  facts[cv::facts::kReply] = "250-mx.t.test\r\n250-AUTH PLAIN LOGIN\r\n250 HELP";
  facts[cv::facts::kCapabilities] = "PIPELINING STARTTLS";
  EXPECT_EQ(KeyFact(p), "no AUTH · STARTTLS offered");
  facts[cv::facts::kCapabilities] = "AUTH STARTTLSX";
  facts[cv::facts::kAuthMechanisms] = "PLAIN LOGIN";
  EXPECT_EQ(KeyFact(p), "AUTH PLAIN LOGIN");
  p.set_name("alt.smtp.ehlo");
  EXPECT_EQ(KeyFact(p), "AUTH PLAIN LOGIN");
  p.set_status(v1::PROBE_STATUS_FAILED);
  facts.clear();
  facts[cv::facts::kReply] = "500 5.5.1 what?";
  EXPECT_EQ(KeyFact(p), "500 5.5.1 what?");
}

TEST(ChannelctlRender, KeyFactOfATokenProbeShowsScopesAndExpiry) {
  v1::Probe p;
  p.set_name("oauth.token");
  p.set_status(v1::PROBE_STATUS_OK);
  p.set_detail("POST https://oauth2.googleapis.com/token");
  auto& facts = *p.mutable_facts();
  facts["http_status"] = "200";
  facts["addresses"] = "142.250.1.95";
  facts["address"] = "142.250.1.95";
  facts["tls_version"] = "TLSv1.3";
  facts["cert_verified"] = "true";
  facts["scopes"] =
      "https://mail.google.com/ https://www.googleapis.com/auth/admin.directory.user.readonly";
  facts["expires_in"] = "3599s";
  EXPECT_EQ(KeyFact(p),
            "scopes https://mail.google.com/ admin.directory.user.readonly · expires in 59m59s");
  facts["scopes"] = "";
  facts["expires_in"] = "7200s";
  EXPECT_EQ(KeyFact(p), "no scopes granted · expires in 2h");
  facts.erase("scopes");
  facts.erase("expires_in");
  EXPECT_EQ(KeyFact(p), "HTTP 200 · TLSv1.3, certificate verified");
}

TEST(ChannelctlRender, KeyFactOfAFailedTokenProbeLeadsWithTheDetail) {
  v1::Probe p;
  p.set_name("oauth.token");
  p.set_status(v1::PROBE_STATUS_FAILED);
  p.set_detail("HTTP 400 invalid_grant: Token has been expired or revoked.");
  (*p.mutable_facts())["http_status"] = "400";
  (*p.mutable_facts())["error"] = "invalid_grant";
  (*p.mutable_facts())["tls_version"] = "TLSv1.3";
  EXPECT_EQ(KeyFact(p), "HTTP 400 invalid_grant: Token has been expired or revoked.");
  (*p.mutable_facts())["error"] = "unauthorized_client";
  EXPECT_EQ(KeyFact(p),
            "HTTP 400 invalid_grant: Token has been expired or revoked. · error "
            "unauthorized_client");
}

TEST(ChannelctlRender, KeyFactOfAccountProbesShowsTheAccount) {
  v1::Probe p;
  p.set_status(v1::PROBE_STATUS_OK);
  auto& facts = *p.mutable_facts();
  facts["http_status"] = "200";
  p.set_name("graph.user");
  facts["account_enabled"] = "false";
  facts["licenses"] = "1";
  EXPECT_EQ(KeyFact(p), "account DISABLED · 1 licence");
  facts.clear();
  facts["http_status"] = "200";
  p.set_name("google.directory");
  facts["is_admin"] = "false";
  facts["is_mailbox_setup"] = "true";
  facts["suspended"] = "false";
  EXPECT_EQ(KeyFact(p), "NOT admin · mailbox set up · not suspended");
  facts.clear();
  facts["http_status"] = "202";
  p.set_name("graph.send_check");
  EXPECT_EQ(KeyFact(p), "HTTP 202");
  facts["send_permitted"] = "true";
  facts["error"] = "ErrorInvalidRecipients";  // the send check's expected answer
  EXPECT_EQ(KeyFact(p), "send permitted");
}

TEST(ChannelctlRender, FindCatalogEntries) {
  v1::ListDiagnosesResponse catalog;
  auto* e = catalog.add_entries();
  e->set_code(v1::DIAGNOSIS_CODE_M365_SMTP_AUTH_DISABLED);
  e->set_documented_case("m365-smtp-auth");
  e = catalog.add_entries();
  e->set_code(v1::DIAGNOSIS_CODE_UNSPECIFIED);
  e->set_documented_case("check-setup");
  EXPECT_EQ(FindCatalogEntries(catalog, "M365_SMTP_AUTH_DISABLED").size(), 1u);
  EXPECT_EQ(FindCatalogEntries(catalog, "diagnosis_code_m365_smtp_auth_disabled").size(), 1u);
  EXPECT_EQ(FindCatalogEntries(catalog, "m365-smtp-auth").size(), 1u);
  EXPECT_EQ(FindCatalogEntries(catalog, "check-setup").size(), 1u);
  EXPECT_TRUE(FindCatalogEntries(catalog, "UNSPECIFIED").empty());
  EXPECT_TRUE(FindCatalogEntries(catalog, "nope").empty());
  EXPECT_TRUE(FindCatalogEntries(catalog, "").empty());
}

TEST(ChannelctlRender, MarkdownEscapesPipes) {
  v1::ListDiagnosesResponse catalog;
  auto* e = catalog.add_entries();
  e->set_code(v1::DIAGNOSIS_CODE_RELAY_DENIED);
  e->set_severity(v1::SEVERITY_ERROR);
  e->set_title("a | b");
  EXPECT_EQ(RenderCatalogMarkdown(catalog),
            "| Code | Severity | Documented case | What it means |\n"
            "|---|---|---|---|\n"
            "| `RELAY_DENIED` | error | – | a \\| b |\n");
}

}  // namespace
}  // namespace channelctl
