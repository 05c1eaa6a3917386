// channelctl --report and --timeline as a person uses them: the four channels of ReportSuite
// verified by the real server, each report read back with an HTML parser
// (tests/report/check_report.py) for every diagnosis's texts in English and German and for the
// test secrets in any form; the timeline as a terminal shows it; and the flags' errors.
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "ctl_support.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "report_world.h"
#include "support/process.h"

namespace cv::testing {
namespace {
namespace v1 = channelverify::v1;
using ::testing::HasSubstr;
using ::testing::Not;

class ChannelctlReportTest : public ReportSuite {
 protected:
  // Kept with the server logs, so that the suite's secret scan reads the reports too.
  static std::filesystem::path ArtifactPath(const std::string& name) {
    const auto dir = std::filesystem::path(CV_BINARY_DIR) / "test-artifacts";
    std::filesystem::create_directories(dir);
    return dir / name;
  }
};

std::string VerdictName(v1::Verdict v) {
  return v == v1::VERDICT_PASS ? "pass" : v == v1::VERDICT_WARN ? "warn" : "fail";
}

// What the page must show: the labels of its language and everything each diagnosis says.
std::string Expectations(const v1::VerifyChannelResponse& r, const std::string& lang) {
  auto quote = [](const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        out += ' ';  // white space: the checker compares texts with runs of it made one space
      } else {
        out += c;
      }
    }
    return out + "\"";
  };
  std::vector<std::string> texts;
  if (lang == "de") {
    texts = {"Kanal wie eingegeben", "Zeitachse", "Protokolle der Verbindungen",
             "Ausprobierte Einstellungen"};
  } else {
    texts = {"Channel as entered", "Timeline", "Transcripts", "Settings tried"};
  }
  for (const auto& d : r.diagnoses()) {
    texts.push_back(d.title());
    if (!d.remediation().empty()) texts.push_back(d.remediation());
    if (!d.escalation().empty()) texts.push_back(d.escalation());
    if (!d.documented_case().empty()) texts.push_back(d.documented_case());
    for (const auto& e : d.evidence()) texts.push_back(e);
    texts.push_back(lang == "de" ? "Was tun" : "What to do");
  }
  std::string json =
      absl::StrCat("{\"lang\": \"", lang, "\", \"verdict\": \"", VerdictName(r.verdict()),
                   "\", \"bars\": ", r.probes_size(), ", \"contains\": [");
  for (size_t i = 0; i < texts.size(); ++i) json += (i ? ", " : "") + quote(texts[i]);
  return json + "]}";
}

// Runs the parser-based checks of tests/report/check_report.py; "" when the page passes.
std::string CheckReport(const std::string& report, const std::string& expectations) {
  TempDir dir("cv-report-");
  const std::string expect_path = (dir.path() / "expect.json").string();
  std::ofstream(expect_path) << expectations;
  const std::string out_path = (dir.path() / "out").string();
  const std::string command = absl::StrCat(
      CV_PYTHON, " ", CV_SOURCE_DIR, "/tests/report/check_report.py '", report, "' '", expect_path,
      "' ", CV_SOURCE_DIR, "/tests/test_secrets.txt > '", out_path, "' 2>&1");
  const int rc = std::system(command.c_str());
  std::ifstream in(out_path);
  std::stringstream output;
  output << in.rdbuf();
  return rc == 0 ? "" : output.str() + "(exit " + std::to_string(rc) + ")";
}

TEST_F(ChannelctlReportTest, EveryScenarioInEnglishAndGermanReadsRightAndHoldsNoSecret) {
  for (const std::string& scenario : Scenarios()) {
    for (const std::string lang : {"en", "de"}) {
      SCOPED_TRACE(scenario + " " + lang);
      const std::string path = ArtifactPath("report-" + scenario + "-" + lang + ".html").string();
      const MadeReport made = Make(scenario, lang, path);
      ASSERT_EQ(made.ctl.exit_code, ExitCodeOf(scenario)) << made.ctl.out << made.ctl.err;
      ASSERT_GT(made.response.probes_size(), 0) << made.ctl.out;
      EXPECT_EQ(CheckReport(path, Expectations(made.response, lang)), "");
    }
  }
}

TEST_F(ChannelctlReportTest, EachScenarioShowsWhatItIsAbout) {
  auto page = [](const MadeReport& made) {
    std::ifstream in(made.path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  TempDir dir("cv-report-");
  const MadeReport pass = Make("pass", "en", (dir.path() / "pass.html").string());
  EXPECT_THAT(page(pass), HasSubstr("The channel works"));
  EXPECT_THAT(page(pass), HasSubstr("Nothing to fix: no diagnosis."));
  EXPECT_THAT(page(pass), HasSubstr("Only the configured setting was tried."));
  // Made through the server, whose texts quote these egress IPs (its --egress_ips default).
  EXPECT_THAT(page(pass), HasSubstr("<code>3.121.59.239/32</code>"));
  EXPECT_THAT(page(pass), HasSubstr("channel-verifier at " + server().address()));
  EXPECT_TRUE(std::regex_search(page(pass), std::regex("<time>20[0-9-]{8} [0-9:]{8} UTC</time>")));
  EXPECT_THAT(page(pass), HasSubstr("S: 235 2.7.0 Authentication successful"));

  const MadeReport wrong = Make("wrong-password", "en", (dir.path() / "w.html").string());
  EXPECT_THAT(page(wrong), HasSubstr("C: AUTH PLAIN &lt;redacted&gt;"));
  EXPECT_THAT(page(wrong), HasSubstr("<code class=\"case\">credentials</code>"));

  const MadeReport m365 = Make("m365-smtp-auth-disabled", "de", (dir.path() / "m.html").string());
  EXPECT_THAT(page(m365), HasSubstr("<code class=\"case\">m365-smtp-auth</code>"));
  EXPECT_THAT(page(m365), HasSubstr("SmtpClientAuthentication is disabled for the Tenant"));
  EXPECT_THAT(page(m365), HasSubstr("Erkannter Anbieter"));

  const MadeReport timeout = Make("timeout", "en", (dir.path() / "t.html").string());
  EXPECT_THAT(page(timeout), HasSubstr("probe-timed-out"));
  // The alternatives tried beside the configured setting, each with what it gave.
  EXPECT_THAT(page(timeout), HasSubstr("(alternative)</td><td>✗ failed at"));
  EXPECT_THAT(page(timeout), HasSubstr("alternative: port 587, STARTTLS"));
}

TEST_F(ChannelctlReportTest, AReportThatCannotBeWrittenStopsBeforeAnythingRuns) {
  TempDir dir("cv-report-");
  const std::string missing = (dir.path() / "no-such-dir" / "r.html").string();
  const MadeReport made = Make("pass", "en", missing);
  EXPECT_EQ(made.ctl.exit_code, 3) << made.ctl.out << made.ctl.err;
  EXPECT_THAT(made.ctl.err, HasSubstr("--report: cannot write " + missing));
  EXPECT_EQ(made.ctl.out, "");  // nothing was verified
  // A directory is no file either.
  const MadeReport into_dir = Make("pass", "en", dir.path().string());
  EXPECT_EQ(into_dir.ctl.exit_code, 3);
  EXPECT_THAT(into_dir.ctl.err, HasSubstr("--report: cannot write"));
}

TEST_F(ChannelctlReportTest, TimelineInTheTerminal) {
  const std::string address = server().address();
  auto run = [&](std::vector<std::string> extra, std::map<std::string, std::string> env) {
    std::vector<std::string> args = {"--server=" + address,
                                     "verify",
                                     "smtp://jobs%40t.test@smtp.t.test:1?tls=starttls",
                                     "--from",
                                     "jobs@t.test",
                                     "--timeline"};
    args.insert(args.end(), extra.begin(), extra.end());
    env["CHANNELCTL_PASSWORD"] = kCtlPassword;
    return RunCtl(args, env);
  };
  // A refused port: the configured setting fails and the alternatives run side by side.
  CtlResult unicode = run({}, {{"LANG", "C.UTF-8"}, {"LC_ALL", ""}});
  EXPECT_EQ(unicode.exit_code, 2) << unicode.err;
  EXPECT_THAT(unicode.out, HasSubstr("┬"));
  EXPECT_THAT(unicode.out, HasSubstr("  alternative: port 587, STARTTLS\n"));
  EXPECT_THAT(unicode.out, HasSubstr("  alternative: port 465, implicit TLS\n"));
  EXPECT_THAT(unicode.out, HasSubstr("✓ ok  ✗ failed  ⏱ timed out  – skipped"));
  // Every line fits 80 columns.
  std::istringstream lines(unicode.out.substr(unicode.out.find("┬")));
  for (std::string line; std::getline(lines, line);) {
    size_t columns = 0;
    for (unsigned char c : line) columns += (c & 0xC0) != 0x80;
    if (line.find("FAIL") != std::string::npos) break;  // the timeline ends before the verdict
    EXPECT_LE(columns, 80u) << line;
  }
  for (const auto& env : std::vector<std::map<std::string, std::string>>{
           {{"LANG", "C"}, {"LC_ALL", ""}}, {{"LANG", ""}, {"LC_ALL", ""}}}) {
    CtlResult ascii = run({}, env);
    EXPECT_THAT(ascii.out, Not(HasSubstr("┬")));
    EXPECT_THAT(ascii.out, HasSubstr("+ ok  x failed  ~ timed out  - skipped"));
  }
  CtlResult forced = run({"--ascii"}, {{"LANG", "C.UTF-8"}, {"LC_ALL", ""}});
  EXPECT_THAT(forced.out, HasSubstr("+ ok  x failed"));
  CtlResult german = run({"--lang", "de"}, {{"LANG", "de_DE.UTF-8"}, {"LC_ALL", ""}});
  EXPECT_THAT(german.out, HasSubstr("  Alternative: Port 587, STARTTLS\n"));
}

TEST_F(ChannelctlReportTest, FlagErrorsNameTheFlag) {
  CtlResult json = RunCtl({"--server=" + server().address(), "verify", "smtp://smtp.t.test",
                           "--timeline", "--output", "json"});
  EXPECT_EQ(json.exit_code, 3);
  EXPECT_THAT(json.err, HasSubstr("--timeline"));
  CtlResult empty =
      RunCtl({"--server=" + server().address(), "verify", "smtp://smtp.t.test", "--report="});
  EXPECT_EQ(empty.exit_code, 3);
  EXPECT_THAT(empty.err, HasSubstr("--report needs a file name"));
  CtlResult no_value =
      RunCtl({"--server=" + server().address(), "verify", "smtp://smtp.t.test", "--report"});
  EXPECT_EQ(no_value.exit_code, 3);
  EXPECT_THAT(no_value.err, HasSubstr("--report needs a value (FILE)"));
}

// send-test --report against a fake service: the page says what the server answered, and a
// service that names no egress IPs leaves them "not known" rather than guessed.
TEST(ChannelctlSendTestReport, SaysWhatTheServerAnsweredAndNoSecret) {
  FakeVerifier fake;
  FakeServer server(&fake);
  fake.send_response.set_accepted(true);
  fake.send_response.set_verdict(v1::VERDICT_PASS);
  fake.send_response.set_server_reply("250 2.0.0 Ok: queued as 4F1A2");
  fake.send_response.set_message_id("<abc@verifier.test>");
  TempDir dir("cv-report-");
  const std::string path = (dir.path() / "sent.html").string();
  CtlResult r =
      RunCtl({"--server=" + server.address(), "send-test", "smtp://jobs%40t.test@smtp.t.test",
              "--to", "me@t.test", "--report", path, "--lang", "de"},
             {{"CHANNELCTL_PASSWORD", kCtlPassword}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(path);
  std::stringstream page;
  page << in.rdbuf();
  EXPECT_THAT(page.str(), HasSubstr("Der Server hat die Testnachricht angenommen"));
  EXPECT_THAT(page.str(), HasSubstr("250 2.0.0 Ok: queued as 4F1A2"));
  EXPECT_THAT(page.str(), HasSubstr("<td>me@t.test</td>"));
  EXPECT_THAT(page.str(), HasSubstr("<td>nicht bekannt</td>"));
  EXPECT_THAT(page.str(), Not(HasSubstr(kCtlPassword)));

  // A failed call leaves no empty page behind.
  fake.fail_first = 1000;
  const std::string failed = (dir.path() / "failed.html").string();
  r = RunCtl({"--server=" + server.address(), "send-test", "smtp://jobs%40t.test@smtp.t.test",
              "--to", "me@t.test", "--report", failed},
             {{"CHANNELCTL_PASSWORD", kCtlPassword}});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(std::filesystem::exists(failed));
}

}  // namespace
}  // namespace cv::testing
