// Hostile mail servers against the real server binary: a greeting that never comes, a reply
// trickled a byte a second, a line of megabytes, a reply without end, garbage where TLS belongs,
// a TLS handshake that stalls, a reset at every stage, a close after STARTTLS.
//
// Each must end as a diagnosis (docs/architecture.md, principle 4) well within the caller's
// deadline (principle 3), with the probe that met it saying what happened, and the server must
// stay up and small.
// The misbehaviour comes from scripted peers (smtp_peer.py faults) and from a fault-injecting
// proxy (support/fault_proxy.h) in front of a well-behaved scripted peer.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/base64.h"
#include "support/fault_proxy.h"
#include "support/find.h"
#include "support/loopback_suite.h"
#include "support/peers.h"
#include "support/server.h"

namespace cv::testing {
namespace {

namespace v1 = channelverify::v1;
using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kUser[] = "jobs@t.test";
constexpr char kPassword[] = "Hostile-Test-pw1";
// Every hostile endpoint listens here; the usual alternative ports (587, 465) of this address
// are closed, so no alternative can rescue a case.
constexpr char kHost[] = "hostile.t.test";
constexpr char kAddress[] = "127.0.0.8";
// The caller's deadline for every case: far beyond the quick server's step timeouts (800 ms),
// so that a case the step timeouts end and one the deadline cuts short cannot be confused.
constexpr auto kCallerDeadline = seconds(20);

// A scripted dialog whose byte counts the proxy cases rely on: every reply is fixed text.
constexpr char kGreeting[] = "220 hostile.t.test ESMTP";  // 26 bytes with CRLF
constexpr char kEhlo[] = R"(["250-hostile.t.test", "250-AUTH PLAIN LOGIN", "250 STARTTLS"])";
constexpr int kGreetingBytes = 26;
constexpr int kEhloBytes = 20 + 22 + 14;
constexpr int kStartTlsBytes = 30;  // "220 2.0.0 Ready to start TLS\r\n"

// The same dialog from a relay that offers no STARTTLS.
constexpr char kPlaintextEhlo[] = R"(["250-hostile.t.test", "250 AUTH PLAIN LOGIN"])";
constexpr int kPlaintextEhloBytes = 20 + 22;
std::string PlaintextScript() {
  return absl::StrCat(R"({"greeting": ")", kGreeting, R"(", "ehlo": )", kPlaintextEhlo, "}");
}

std::string Script() {
  return absl::StrCat(R"({"greeting": ")", kGreeting, R"(", "ehlo": )", kEhlo,
                      R"(, "ehlo_tls": null, "starttls": "220 2.0.0 Ready to start TLS"})");
}

// Peak and current resident memory of a process, in kB (/proc/PID/status).
struct Memory {
  long hwm_kb = -1;
  long rss_kb = -1;
};

Memory ReadMemory(pid_t pid) {
  Memory m;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    auto value = [&line] {
      long kb = -1;
      std::string digits;
      for (char c : line) {
        if (c >= '0' && c <= '9') digits += c;
      }
      return absl::SimpleAtoi(digits, &kb) ? kb : -1;
    };
    if (line.rfind("VmHWM:", 0) == 0) m.hwm_kb = value();
    if (line.rfind("VmRSS:", 0) == 0) m.rss_kb = value();
  }
  return m;
}

// One byte a second: far slower than any step timeout allows.
FaultProxyOptions Trickle() {
  FaultProxyOptions options;
  options.slice = 1;
  options.slice_delay_ms = 1000;
  return options;
}

class HostileServerTest : public LoopbackSuite {
 protected:
  static void SetUpTestSuite() {
    StartLoopback(DnsPeerOptions().Host(kHost, kAddress).Mx("t.test", "mx.t.test", 10));
    if (HasFatalFailure()) return;
    // Short step timeouts: the hostile cases end by them, well before the caller's deadline.
    quick_ = SuiteServer({"--greeting_timeout_ms=800", "--connect_timeout_ms=800",
                          "--tls_timeout_ms=800", "--command_timeout_ms=800",
                          // The plaintext cut case below reaches AUTH without TLS.
                          absl::StrCat("--allow_plaintext_auth_cidrs=", kAddress, "/32")});
    // Default step timeouts (10 s): there the caller's deadline is what ends a slow server.
    patient_ = SuiteServer();
  }

  static void TearDownTestSuite() {
    // Whatever the servers met, they are still running at the end.
    for (ServerProcess* server : {quick_, patient_}) {
      if (server != nullptr) EXPECT_TRUE(server->process().Running()) << server->Logs();
    }
    LoopbackSuite::TearDownTestSuite();
    quick_ = patient_ = nullptr;
  }

  void TearDown() override {
    // After every case the server answers its health check at once.
    for (ServerProcess* server : {quick_, patient_}) {
      grpc::health::v1::HealthCheckRequest request;
      grpc::health::v1::HealthCheckResponse response;
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + seconds(2));
      const grpc::Status status = server->HealthStub()->Check(&context, request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
    }
  }

  // A scripted peer (the fixed dialog above, plus `fault`), on the hostile address or, when it
  // sits behind a proxy, on 127.0.0.1.
  static SmtpPeer StartPeer(const std::string& fault, bool behind_proxy = false,
                            SmtpTls tls = SmtpTls::kStartTls, std::string script = Script()) {
    SmtpPeerOptions options;
    options.bind = behind_proxy ? "127.0.0.1" : kAddress;
    options.script_json = std::move(script);
    options.fault = fault;
    options.tls = tls;
    options.cert = ca_->valid();
    auto peer = SmtpPeer::Start(options);
    EXPECT_TRUE(peer.ok()) << peer.status();
    if (!peer.ok()) std::abort();  // nothing below makes sense without it
    return std::move(*peer);
  }

  static FaultProxy StartProxy(const SmtpPeer& upstream, FaultProxyOptions options) {
    options.upstream_host = upstream.host();
    options.upstream_port = upstream.port();
    options.bind = kAddress;
    auto proxy = FaultProxy::Start(options);
    EXPECT_TRUE(proxy.ok()) << proxy.status();
    if (!proxy.ok()) std::abort();
    return std::move(*proxy);
  }

  // VerifyChannel for the hostile endpoint; the RPC itself must succeed, which bounds it by the
  // deadline (later, the client ends it with DEADLINE_EXCEEDED).
  static v1::VerifyChannelResponse Verify(int port, v1::TlsMode mode,
                                          const ServerProcess* server = quick_,
                                          std::chrono::milliseconds deadline = kCallerDeadline) {
    v1::VerifyChannelRequest request;
    v1::SmtpChannel* smtp = request.mutable_channel()->mutable_smtp();
    smtp->set_host(kHost);
    smtp->set_port(port);
    smtp->set_tls_mode(mode);
    smtp->set_username(kUser);
    smtp->set_password(kPassword);
    smtp->set_from_address(kUser);
    request.set_language_code("en");
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + deadline);
    v1::VerifyChannelResponse response;
    const grpc::Status status = server->Stub()->VerifyChannel(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
    EXPECT_THAT(response.DebugString(), Not(HasSubstr(kPassword)));
    return response;
  }

  // The verdict is FAIL with `code`, the probe `name` ended with `status` and says `detail`,
  // and a step timeout or the fault itself ended it well within the caller's deadline: a
  // verification the deadline cut short says DEADLINE_TOO_SHORT (no clock of the test's own,
  // which a loaded machine could slow past any bound).
  static void ExpectDiagnosed(const v1::VerifyChannelResponse& r, v1::DiagnosisCode code,
                              const std::string& name, v1::ProbeStatus status,
                              const std::string& detail) {
    EXPECT_THAT(Codes(r), Not(Contains(v1::DIAGNOSIS_CODE_DEADLINE_TOO_SHORT))) << r.DebugString();
    EXPECT_EQ(r.verdict(), v1::VERDICT_FAIL) << r.DebugString();
    EXPECT_THAT(Codes(r), Contains(code)) << r.DebugString();
    const v1::Probe* probe = FindProbe(r, name);
    ASSERT_NE(probe, nullptr) << name << "\n" << r.DebugString();
    EXPECT_EQ(probe->status(), status) << r.DebugString();
    EXPECT_THAT(probe->detail(), HasSubstr(detail)) << r.DebugString();
  }

  static inline ServerProcess* quick_ = nullptr;
  static inline ServerProcess* patient_ = nullptr;
};

TEST_F(HostileServerTest, GreetingThatNeverComesIsUnreachableAfterTheGreetingTimeout) {
  SmtpPeer peer = StartPeer("silent");
  const auto r = Verify(peer.port(), v1::TLS_MODE_STARTTLS);
  ExpectDiagnosed(r, v1::DIAGNOSIS_CODE_SERVER_UNREACHABLE, "smtp.greeting",
                  v1::PROBE_STATUS_TIMED_OUT, "no greeting before the step's deadline");
}

TEST_F(HostileServerTest, GreetingTrickledAByteASecondIsAProtocolErrorNotUnreachable) {
  SmtpPeer peer = StartPeer("", /*behind_proxy=*/true);
  FaultProxy proxy = StartProxy(peer, Trickle());
  const auto r = Verify(proxy.port(), v1::TLS_MODE_STARTTLS);
  // The step timeout (800 ms) ends it, not the trickle: the server talks, so it is reachable.
  ExpectDiagnosed(r, v1::DIAGNOSIS_CODE_SERVER_PROTOCOL_ERROR, "smtp.greeting",
                  v1::PROBE_STATUS_TIMED_OUT, "bytes of it had arrived");
  EXPECT_THAT(Codes(r), Not(Contains(v1::DIAGNOSIS_CODE_SERVER_UNREACHABLE)));
}

TEST_F(HostileServerTest, TrickleOutlastingTheCallersDeadlineIsDeadlineTooShort) {
  SmtpPeer peer = StartPeer("", /*behind_proxy=*/true);
  FaultProxy proxy = StartProxy(peer, Trickle());
  // Step timeouts of 10 s: the caller's 2 s end the greeting, and the answer says so in time.
  const auto r = Verify(proxy.port(), v1::TLS_MODE_STARTTLS, patient_, milliseconds(2000));
  EXPECT_THAT(Codes(r), Contains(v1::DIAGNOSIS_CODE_DEADLINE_TOO_SHORT)) << r.DebugString();
  const v1::Probe* greeting = FindProbe(r, "smtp.greeting");
  ASSERT_NE(greeting, nullptr) << r.DebugString();
  EXPECT_EQ(greeting->status(), v1::PROBE_STATUS_TIMED_OUT);
}

TEST_F(HostileServerTest, MegabyteLineIsAProtocolErrorAndCostsNoMemory) {
  {
    // Warm-up with a short overlong line: the first calls allocate buffers that stay.
    SmtpPeer warm =
        StartPeer("megabyte-line", false, SmtpTls::kStartTls, R"({"line_bytes": 100000})");
    Verify(warm.port(), v1::TLS_MODE_STARTTLS);
  }
  const Memory before = ReadMemory(quick_->process().pid());
  SmtpPeer peer = StartPeer("megabyte-line");  // 8 MiB and then CRLF
  const auto r = Verify(peer.port(), v1::TLS_MODE_STARTTLS);
  const Memory after = ReadMemory(quick_->process().pid());
  ExpectDiagnosed(r, v1::DIAGNOSIS_CODE_SERVER_PROTOCOL_ERROR, "smtp.greeting",
                  v1::PROBE_STATUS_FAILED, "reply line longer than 4096 bytes");
  // Peak resident memory, not just the current one: a buffer that grew to 8 MiB and was freed
  // again would leave VmRSS where it was, but not VmHWM.
  ASSERT_GT(before.hwm_kb, 0);
  ASSERT_GT(after.hwm_kb, 0);
  EXPECT_LT(after.hwm_kb - before.hwm_kb, 3 * 1024)
      << "VmHWM " << before.hwm_kb << " -> " << after.hwm_kb << " kB, VmRSS " << before.rss_kb
      << " -> " << after.rss_kb << " kB";
}

TEST_F(HostileServerTest, EndlessMultilineReplyIsAProtocolError) {
  SmtpPeer peer = StartPeer("endless-ehlo");
  const auto r = Verify(peer.port(), v1::TLS_MODE_STARTTLS);
  ExpectDiagnosed(r, v1::DIAGNOSIS_CODE_SERVER_PROTOCOL_ERROR, "smtp.ehlo", v1::PROBE_STATUS_FAILED,
                  "reply with more than 128 lines");
}

TEST_F(HostileServerTest, GarbageInsteadOfTlsAfterStartTlsIsAHandshakeFailure) {
  SmtpPeer peer = StartPeer("tls-garbage");
  const auto r = Verify(peer.port(), v1::TLS_MODE_STARTTLS);
  ExpectDiagnosed(r, v1::DIAGNOSIS_CODE_TLS_HANDSHAKE_FAILED, "smtp.tls", v1::PROBE_STATUS_FAILED,
                  "TLS handshake failed");
}

TEST_F(HostileServerTest, GarbageOnAnImplicitTlsPortIsNotTls) {
  SmtpPeer peer = StartPeer("tls-garbage", false, SmtpTls::kImplicit);
  const auto r = Verify(peer.port(), v1::TLS_MODE_IMPLICIT);
  ExpectDiagnosed(r, v1::DIAGNOSIS_CODE_TLS_MODE_MISMATCH, "smtp.tls", v1::PROBE_STATUS_FAILED,
                  "TLS handshake failed");
}

TEST_F(HostileServerTest, TlsHandshakeThatStallsAfterStartTlsIsAHandshakeFailure) {
  SmtpPeer peer = StartPeer("tls-stall");
  const auto r = Verify(peer.port(), v1::TLS_MODE_STARTTLS);
  ExpectDiagnosed(r, v1::DIAGNOSIS_CODE_TLS_HANDSHAKE_FAILED, "smtp.tls",
                  v1::PROBE_STATUS_TIMED_OUT, "timed out waiting for the TLS handshake");
  EXPECT_THAT(Codes(r), Not(Contains(v1::DIAGNOSIS_CODE_SERVER_UNREACHABLE)));
}

TEST_F(HostileServerTest, TlsHandshakeThatStallsHalfwayIsAHandshakeFailure) {
  SmtpPeer peer = StartPeer("", /*behind_proxy=*/true);
  // The server's first TLS record is cut after 20 bytes and the rest never comes.
  FaultProxyOptions stall;
  stall.stall_after_bytes = kGreetingBytes + kEhloBytes + kStartTlsBytes + 20;
  FaultProxy proxy = StartProxy(peer, stall);
  const auto r = Verify(proxy.port(), v1::TLS_MODE_STARTTLS);
  ExpectDiagnosed(r, v1::DIAGNOSIS_CODE_TLS_HANDSHAKE_FAILED, "smtp.tls",
                  v1::PROBE_STATUS_TIMED_OUT, "timed out waiting for the TLS handshake");
  EXPECT_THAT(proxy.Log(), HasSubstr("stalled after"));
}

TEST_F(HostileServerTest, CloseAfterStartTlsIsAHandshakeFailure) {
  SmtpPeer peer = StartPeer("close-after-starttls");
  const auto r = Verify(peer.port(), v1::TLS_MODE_STARTTLS);
  ExpectDiagnosed(r, v1::DIAGNOSIS_CODE_TLS_HANDSHAKE_FAILED, "smtp.tls", v1::PROBE_STATUS_FAILED,
                  "TLS handshake failed");
}

TEST_F(HostileServerTest, LatencyAloneIsNoFault) {
  // The proxy itself must not be what the other cases measure: slow but correct passes.
  SmtpPeerOptions options;
  options.bind = "127.0.0.1";
  options.tls = SmtpTls::kStartTls;
  options.cert = ca_->valid();
  options.require_starttls = true;
  options.users = {{kUser, kPassword}};
  auto peer = SmtpPeer::Start(options);
  ASSERT_TRUE(peer.ok()) << peer.status();
  FaultProxyOptions slow;
  slow.direction = FaultProxyOptions::Direction::kBoth;
  slow.latency_ms = 50;
  slow.slice = 200;
  slow.slice_delay_ms = 5;
  FaultProxy proxy = StartProxy(*peer, slow);
  const auto r = Verify(proxy.port(), v1::TLS_MODE_STARTTLS);
  EXPECT_EQ(r.verdict(), v1::VERDICT_PASS) << r.DebugString();
}

// Servers that quote what they were sent: the AUTH argument (which base64-decodes to the
// password at whatever alignment the username puts it), the password after a CR or a NUL. The
// response carries none of it (Verify also checks the plain password).
TEST_F(HostileServerTest, EchoedCredentialsAreRedacted) {
  const std::string blob =
      Base64Encode(absl::StrCat(std::string(1, '\0'), kUser, std::string(1, '\0'), kPassword));
  // JSON text of the scripted reply: "\\r" and "\\u0000" are the CR and the NUL.
  for (const char* reply : {"535 5.7.8 Authentication rejected: {arg}",
                            "535 5.7.8 rejected:\\r{arg}", "535 5.7.8 bad password\\r{secret}",
                            "535 5.7.8 bad password\\u0000{secret}", "535 5.7.8 {secret}"}) {
    SmtpPeer peer = StartPeer("", false, SmtpTls::kStartTls,
                              absl::StrCat(R"({"echo_auth": true, "auth": ")", reply, R"("})"));
    const auto r = Verify(peer.port(), v1::TLS_MODE_STARTTLS);
    const std::string text = r.DebugString();
    EXPECT_EQ(r.verdict(), v1::VERDICT_FAIL) << text;
    EXPECT_THAT(text, HasSubstr("<redacted>")) << reply << "\n" << text;
    EXPECT_THAT(text, Not(HasSubstr(blob.substr(8, 16)))) << reply << "\n" << text;
    EXPECT_THAT(text, Not(HasSubstr(Base64Encode(kPassword).substr(0, 12)))) << text;
  }
}

// A reset (or a plain close) of the server's side once it has sent `after_bytes`.
struct CutCase {
  const char* name;
  int after_bytes;
  bool reset;  // RST; otherwise FIN
  v1::TlsMode mode;
  v1::DiagnosisCode code;
  const char* probe;
  const char* detail;
  bool starttls_offered = true;  // false: the EHLO offers AUTH only (a plaintext relay)
};

class CutTest : public HostileServerTest, public ::testing::WithParamInterface<CutCase> {};

TEST_P(CutTest, ConnectionCutAtEveryStageIsDiagnosedAtThatStage) {
  const CutCase& c = GetParam();
  SmtpPeer peer = c.starttls_offered ? StartPeer("", /*behind_proxy=*/true)
                                     : StartPeer("", true, SmtpTls::kNone, PlaintextScript());
  FaultProxyOptions options;
  if (c.reset) {
    options.reset_after_bytes = c.after_bytes;
  } else {
    options.limit_bytes = c.after_bytes;
  }
  FaultProxy proxy = StartProxy(peer, options);
  const auto r = Verify(proxy.port(), c.mode);
  ExpectDiagnosed(r, c.code, c.probe, v1::PROBE_STATUS_FAILED, c.detail);
  EXPECT_THAT(proxy.Log(), HasSubstr(c.reset ? "reset after" : "closed after"));
  // A cut is never mistaken for a verdict on the credentials or on STARTTLS support.
  EXPECT_THAT(Codes(r), Not(Contains(v1::DIAGNOSIS_CODE_INVALID_CREDENTIALS)));
  EXPECT_THAT(Codes(r), Not(Contains(v1::DIAGNOSIS_CODE_STARTTLS_NOT_OFFERED)));
  EXPECT_THAT(Codes(r), Not(Contains(v1::DIAGNOSIS_CODE_SERVER_UNREACHABLE)));
}

constexpr int kBeforeStartTlsReply = kGreetingBytes + kEhloBytes;

INSTANTIATE_TEST_SUITE_P(
    Stages, CutTest,
    ::testing::Values(CutCase{"ResetBeforeGreeting", 0, true, v1::TLS_MODE_STARTTLS,
                              v1::DIAGNOSIS_CODE_SERVER_PROTOCOL_ERROR, "smtp.greeting", "closed"},
                      CutCase{"ResetMidGreeting", 10, true, v1::TLS_MODE_STARTTLS,
                              v1::DIAGNOSIS_CODE_SERVER_PROTOCOL_ERROR, "smtp.greeting", "closed"},
                      CutCase{"ResetAtEhlo", kGreetingBytes, true, v1::TLS_MODE_STARTTLS,
                              v1::DIAGNOSIS_CODE_SERVER_PROTOCOL_ERROR, "smtp.ehlo", "closed"},
                      CutCase{"CloseAtEhlo", kGreetingBytes, false, v1::TLS_MODE_STARTTLS,
                              v1::DIAGNOSIS_CODE_SERVER_PROTOCOL_ERROR, "smtp.ehlo", "closed"},
                      CutCase{"ResetAtStartTls", kBeforeStartTlsReply, true, v1::TLS_MODE_STARTTLS,
                              v1::DIAGNOSIS_CODE_SERVER_PROTOCOL_ERROR, "smtp.starttls", "closed"},
                      CutCase{"ResetInTlsHandshake", kBeforeStartTlsReply + kStartTlsBytes, true,
                              v1::TLS_MODE_STARTTLS, v1::DIAGNOSIS_CODE_TLS_HANDSHAKE_FAILED,
                              "smtp.tls", "TLS handshake failed"},
                      CutCase{"ResetMidTlsRecord", kBeforeStartTlsReply + kStartTlsBytes + 20, true,
                              v1::TLS_MODE_STARTTLS, v1::DIAGNOSIS_CODE_TLS_HANDSHAKE_FAILED,
                              "smtp.tls", "TLS handshake failed"},
                      // A relay without STARTTLS, allowed plaintext AUTH: the next reply is AUTH's.
                      CutCase{"ResetAtAuth", kGreetingBytes + kPlaintextEhloBytes, true,
                              v1::TLS_MODE_NONE, v1::DIAGNOSIS_CODE_SERVER_PROTOCOL_ERROR,
                              "smtp.auth", "closed", false}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace cv::testing
