// The HTML report (channelverify/report.h) as pure code: what a hostile server can put into it,
// that the request's secrets never get into it, and what it holds.
#include "channelverify/report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "html.h"
#include "report_svg.h"
#include "scrub.h"

namespace {
namespace v1 = channelverify::v1;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPassword[] = "Corr3ct-Horse!pw";
constexpr char kUser[] = "jobs@t.test";

std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    for (int k = 18; k >= 0; k -= 6) out += kAlphabet[(v >> k) & 0x3F];
  }
  if (i < bytes.size()) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 0x3F];
    out += kAlphabet[(v >> 12) & 0x3F];
    out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 0x3F] : '=';
    out += '=';
  }
  return out;
}

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

v1::VerifyChannelRequest Request(const std::string& lang = "en") {
  v1::VerifyChannelRequest request;
  auto* smtp = request.mutable_channel()->mutable_smtp();
  smtp->set_host("smtp.t.test");
  smtp->set_port(2525);
  smtp->set_tls_mode(v1::TLS_MODE_STARTTLS);
  smtp->set_username(kUser);
  smtp->set_password(kPassword);
  smtp->set_from_address(kUser);
  request.set_language_code(lang);
  return request;
}

v1::Probe* AddProbe(v1::VerifyChannelResponse* r, const std::string& name, int start_ms,
                    int duration_ms, v1::ProbeStatus status) {
  v1::Probe* p = r->add_probes();
  p->set_name(name);
  p->set_status(status);
  p->set_target("smtp.t.test:2525 127.0.0.1");
  p->mutable_started_after()->set_nanos(start_ms * 1000000);
  p->mutable_duration()->set_nanos(duration_ms * 1000000);
  return p;
}

// A wrong password as the engine reports it, with a server that misbehaves in every field it
// controls: markup, quotes, a control byte, broken UTF-8, and the password echoed back.
v1::VerifyChannelResponse HostileRejection() {
  v1::VerifyChannelResponse r;
  r.set_verdict(v1::VERDICT_FAIL);
  r.mutable_elapsed()->set_nanos(20000000);
  AddProbe(&r, "dns.host", 0, 1, v1::PROBE_STATUS_OK);
  AddProbe(&r, "smtp.tcp", 1, 1, v1::PROBE_STATUS_OK);
  auto* greeting = AddProbe(&r, "smtp.greeting", 2, 2, v1::PROBE_STATUS_OK);
  greeting->add_transcript("S: 220 <script>alert('greeting')</script> ESMTP\r\n");
  auto* auth = AddProbe(&r, "smtp.auth", 10, 3, v1::PROBE_STATUS_FAILED);
  auth->add_transcript("C: AUTH PLAIN <redacted>");
  auth->add_transcript("S: 535 5.7.8 \"bad\" <img src=x onerror=alert(1)> " +
                       Base64(std::string("\0", 1) + kUser + std::string("\0", 1) + kPassword));
  auth->set_detail(std::string("rejected\x01 \xff\xfe ") + kPassword);
  auto* d = r.add_diagnoses();
  d->set_code(v1::DIAGNOSIS_CODE_INVALID_CREDENTIALS);
  d->set_severity(v1::SEVERITY_ERROR);
  d->set_documented_case("credentials");
  d->set_title("The access data was not accepted</h3><script>alert(1)</script>");
  d->set_remediation("Check the password & username.");
  d->set_escalation("If the problem remains, contact our support team.");
  d->add_evidence("AUTH: 535 5.7.8 Authentication credentials invalid");
  d->add_evidence(std::string("echo: ") + "Corr3ct%2DHorse%21pw and Corr3ct-Horse%21pw");
  d->set_probe("smtp.auth");
  d->set_confidence(1);
  return r;
}

TEST(ReportHtml, ServerTextIsEscapedEverywhere) {
  const std::string html = channelverify::RenderReport(Request(), HostileRejection(), {});
  // The page has no markup of its own that runs or loads anything...
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("<img")));
  EXPECT_THAT(html, Not(HasSubstr("src=\"")));
  EXPECT_THAT(html, Not(HasSubstr("http://")));
  EXPECT_THAT(html, Not(HasSubstr("https://")));
  // ...and the server's is shown as text.
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(&#39;greeting&#39;)&lt;/script&gt;"));
  EXPECT_THAT(html, HasSubstr("&quot;bad&quot; &lt;img src=x onerror=alert(1)&gt;"));
  EXPECT_THAT(html, HasSubstr("not accepted&lt;/h3&gt;&lt;script&gt;"));
  EXPECT_THAT(html, HasSubstr("Check the password &amp; username."));
  // Control bytes and broken UTF-8 become U+FFFD; CR is dropped.
  EXPECT_THAT(html, HasSubstr("rejected\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD "));
  EXPECT_THAT(html, Not(HasSubstr("\r")));
  EXPECT_THAT(html, HasSubstr("default-src 'none'"));
}

TEST(ReportHtml, NoSecretInAnyForm) {
  v1::VerifyChannelRequest request = Request();
  request.mutable_channel()->mutable_smtp()->set_password(kPassword);
  const std::string html = channelverify::RenderReport(request, HostileRejection(), {});
  EXPECT_THAT(html, Not(HasSubstr(kPassword)));
  EXPECT_THAT(html, Not(HasSubstr("Corr3ct%2DHorse%21pw")));
  EXPECT_THAT(html, Not(HasSubstr("Corr3ct-Horse%21pw")));
  EXPECT_THAT(html, Not(HasSubstr(Base64(kPassword).substr(0, 20))));
  const std::string plain = Base64(std::string("\0", 1) + kUser + std::string("\0", 1) + kPassword);
  EXPECT_THAT(html, Not(HasSubstr(plain.substr(plain.size() - 16))));
  EXPECT_THAT(html, HasSubstr("&lt;redacted&gt;"));
  // The channel says that a password was given, not which.
  EXPECT_THAT(html, HasSubstr("given (never shown in a report)"));

  // OAuth tokens alike.
  v1::VerifyChannelRequest oauth;
  oauth.mutable_channel()->mutable_oauth()->set_provider(v1::PROVIDER_MICROSOFT);
  oauth.mutable_channel()->mutable_oauth()->set_account(kUser);
  oauth.mutable_channel()->mutable_oauth()->set_refresh_token("1//refresh-token-value");
  v1::VerifyChannelResponse r;
  r.add_diagnoses()->add_evidence("token 1//refresh-token-value was refused");
  const std::string page = channelverify::RenderReport(oauth, r, {});
  EXPECT_THAT(page, Not(HasSubstr("refresh-token-value")));
  EXPECT_THAT(page, HasSubstr("refresh token given"));
}

TEST(ReportHtml, OneBarPerProbeAndTheTextsOfEveryDiagnosis) {
  const v1::VerifyChannelResponse r = HostileRejection();
  const std::string html = channelverify::RenderReport(Request(), r, {});
  EXPECT_EQ(Count(html, "<rect class=\"probe-bar "), static_cast<size_t>(r.probes_size()));
  EXPECT_EQ(Count(html, "<rect class=\"probe-bar probe-failed\""), 1u);
  EXPECT_THAT(html, HasSubstr("If the problem remains, contact our support team."));
  EXPECT_THAT(html, HasSubstr("AUTH: 535 5.7.8 Authentication credentials invalid"));
  EXPECT_THAT(html, HasSubstr("<code class=\"case\">credentials</code>"));
  EXPECT_THAT(html, HasSubstr("The channel does not work"));
  EXPECT_THAT(html, HasSubstr("@page { size: A4"));
}

TEST(ReportHtml, LabelsFollowTheLanguage) {
  const std::string de = channelverify::RenderReport(Request("de"), HostileRejection(), {});
  EXPECT_THAT(de, HasSubstr("<html lang=\"de\">"));
  EXPECT_THAT(de, HasSubstr("Der Kanal funktioniert nicht"));
  EXPECT_THAT(de, HasSubstr("Was tun"));
  EXPECT_THAT(de, HasSubstr("Wenn das nicht hilft"));
  const std::string en = channelverify::RenderReport(Request("en"), HostileRejection(), {});
  EXPECT_THAT(en, HasSubstr("<html lang=\"en\">"));
  EXPECT_THAT(en, HasSubstr("What to do"));
  EXPECT_THAT(en, Not(HasSubstr("Was tun")));
}

TEST(ReportHtml, WhenAndFromWhere) {
  channelverify::ReportContext context;
  context.made_at = std::chrono::system_clock::from_time_t(1767225600);  // 2026-01-01 00:00 UTC
  context.egress_ips = {"3.121.59.239/32", "<b>"};
  context.made_by = "channel-verifier at 127.0.0.1:50051";
  const std::string html = channelverify::RenderReport(Request(), HostileRejection(), context);
  EXPECT_THAT(html, HasSubstr("2026-01-01 00:00:00 UTC"));
  EXPECT_THAT(html, HasSubstr("<code>3.121.59.239/32</code>, <code>&lt;b&gt;</code>"));
  EXPECT_THAT(html, HasSubstr("channel-verifier at 127.0.0.1:50051"));
  const std::string unknown = channelverify::RenderReport(Request(), HostileRejection(), {});
  EXPECT_THAT(unknown, HasSubstr("<td>not known</td>"));
  EXPECT_THAT(unknown, Not(HasSubstr("Made at")));
}

TEST(ReportHtml, SettingsTriedAndWhatEachGave) {
  v1::VerifyChannelResponse r;
  r.set_verdict(v1::VERDICT_FAIL);
  AddProbe(&r, "smtp.tcp", 0, 1, v1::PROBE_STATUS_OK);
  AddProbe(&r, "smtp.greeting", 1, 800, v1::PROBE_STATUS_TIMED_OUT)->set_detail("no greeting");
  auto* alt = AddProbe(&r, "alt.smtp.tcp", 801, 1, v1::PROBE_STATUS_FAILED);
  alt->set_target("smtp.t.test:587 127.0.0.1");
  alt->set_detail("connection refused");
  (*alt->mutable_facts())["tls_mode"] = "starttls";
  for (const char* name : {"alt.smtp.tcp", "alt.smtp.tls", "alt.smtp.greeting"}) {
    auto* p = AddProbe(&r, name, 802, 2, v1::PROBE_STATUS_OK);
    p->set_target("smtp.t.test:465 127.0.0.1");
    (*p->mutable_facts())["tls_mode"] = "implicit";
  }
  r.mutable_suggested_smtp_settings()->set_port(465);
  r.mutable_suggested_smtp_settings()->set_tls_mode(v1::TLS_MODE_IMPLICIT);
  const std::string html = channelverify::RenderReport(Request(), r, {});
  EXPECT_THAT(html, HasSubstr("Port 2525, STARTTLS (as configured)</td><td>✗ failed at "
                              "<code>smtp.greeting</code>: timed out – no greeting"));
  EXPECT_THAT(html, HasSubstr("Port 587, STARTTLS (alternative)</td><td>✗ failed at "
                              "<code>alt.smtp.tcp</code>: failed – connection refused"));
  EXPECT_THAT(html, HasSubstr("<tr class=\"suggested\"><td>Port 465, implicit TLS (alternative)"
                              "</td><td>✓ works – <strong>suggested"));
  EXPECT_THAT(html, HasSubstr("alternative: port 465, implicit TLS"));  // a row group in the SVG
}

TEST(ReportHtml, SendTestSaysWhatTheServerAnswered) {
  v1::SendTestRequest request;
  *request.mutable_channel() = Request().channel();
  request.set_recipient("me@t.test");
  request.set_language_code("de");
  v1::SendTestResponse r;
  r.set_accepted(true);
  r.set_verdict(v1::VERDICT_PASS);
  r.set_server_reply("250 2.0.0 Ok: queued as 4F1A2");
  r.set_message_id("<abc@verifier.test>");
  const std::string html = channelverify::RenderReport(request, r, {});
  EXPECT_THAT(html, HasSubstr("Der Server hat die Testnachricht angenommen"));
  EXPECT_THAT(html, HasSubstr("250 2.0.0 Ok: queued as 4F1A2"));
  EXPECT_THAT(html, HasSubstr("&lt;abc@verifier.test&gt;"));
  EXPECT_THAT(html, HasSubstr("me@t.test"));
  EXPECT_THAT(html, Not(HasSubstr(kPassword)));
}

TEST(ReportHtml, EscapeKeepsUtf8AndReplacesTheRest) {
  using channelverify::html::Escape;
  EXPECT_EQ(Escape("Grüße <a href=\"x\">'&'</a>"),
            "Grüße &lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(Escape("a\r\nb\tc"), "a\nb\tc");
  EXPECT_EQ(Escape(std::string("\0\x1b\x7f", 3)), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  // Overlong, surrogate, truncated sequences are not UTF-8.
  EXPECT_EQ(Escape("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(Escape("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(Escape("\xE2\x9C"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(Escape("\xF0\x9F\x93\xA7"), "\xF0\x9F\x93\xA7");
}

TEST(ReportHtml, ScrubFindsTheSecretAtEveryBase64Alignment) {
  using channelverify::scrub::FormsOf;
  using channelverify::scrub::Scrub;
  const auto forms = FormsOf(kPassword);
  for (const std::string& prefix :
       std::vector<std::string>{"", "a", "ab", std::string("\0jobs@t.test\0", 13)}) {
    const std::string encoded = Base64(prefix + kPassword + "tail");
    const std::string scrubbed = Scrub("334 " + encoded, forms);
    EXPECT_THAT(scrubbed, HasSubstr("<redacted>")) << prefix.size();
  }
  EXPECT_EQ(Scrub("nothing here", forms), "nothing here");
  EXPECT_TRUE(FormsOf("abc").empty());
}

TEST(ReportSvg, BarsStayInsideTheirArea) {
  using channelverify::report::BarGeometry;
  const auto whole = BarGeometry(0, 100, 100, 190, 450);
  EXPECT_DOUBLE_EQ(whole.x, 190);
  EXPECT_DOUBLE_EQ(whole.width, 450);
  const auto tiny = BarGeometry(50, 50, 100, 190, 450);
  EXPECT_DOUBLE_EQ(tiny.x, 415);
  EXPECT_DOUBLE_EQ(tiny.width, 2);
  const auto at_end = BarGeometry(100, 100, 100, 190, 450);
  EXPECT_DOUBLE_EQ(at_end.x + at_end.width, 640);
  const auto wild = BarGeometry(-10, 1000, 100, 190, 450);
  EXPECT_DOUBLE_EQ(wild.x, 190);
  EXPECT_DOUBLE_EQ(wild.width, 450);
}

}  // namespace
