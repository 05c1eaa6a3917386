// The AUTH budget, the memory of rejected passwords and SendTest dedup on a shared Redis, as a
// Helm deployment with several replicas runs them: three server processes, one redis-server,
// calls going round-robin. Also what happens when Redis stalls, dies and comes back, and that
// nothing is left in it after the windows.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <future>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "support/find.h"
#include "support/loopback_suite.h"
#include "support/peers.h"
#include "support/process.h"
#include "support/redis_peer.h"
#include "support/server.h"

namespace cv::testing {
namespace {

namespace v1 = channelverify::v1;
using ::testing::HasSubstr;

constexpr char kUser[] = "jobs@t.test";
constexpr char kGoodPassword[] = "Corr3ct-Horse!pw";

class SharedStateTest : public LoopbackSuite {
 protected:
  static void SetUpTestSuite() {
    LoopbackSuite::SetUpTestSuite();
    key_dir_ = new TempDir("cv-state-key-");
    std::ofstream(key_file()) << "0123456789abcdef0123456789abcdef-shared-by-all-replicas";
  }
  static void TearDownTestSuite() {
    delete key_dir_;
    LoopbackSuite::TearDownTestSuite();
  }
  void SetUp() override {
    auto redis = RedisPeer::Start();
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_.emplace(std::move(*redis));
  }

  static std::string key_file() { return (key_dir_->path() / "state.key").string(); }

  // `count` replicas sharing the test's Redis (or the store `store` names).
  std::vector<ServerProcess> Replicas(int count, std::vector<std::string> more = {},
                                      std::vector<std::string> store = {}) {
    std::vector<ServerProcess> servers;
    if (store.empty()) store = {"--state_store=" + redis_->url()};
    more.insert(more.end(), store.begin(), store.end());
    more.push_back("--state_key_file=" + key_file());
    for (int i = 0; i < count; ++i) {
      auto server = Server(more);
      EXPECT_TRUE(server.ok()) << server.status();
      if (server.ok()) servers.push_back(std::move(*server));
    }
    return servers;
  }

  static v1::VerifyChannelRequest Request(int port, const std::string& password,
                                          const std::string& user = kUser,
                                          const std::string& host = "smtp.t.test") {
    return SmtpRequest(port, user, password, host);
  }

  static grpc::Status Call(const ServerProcess& server, const v1::VerifyChannelRequest& request,
                           v1::VerifyChannelResponse* response) {
    return Verify(*server.Stub(), request, response);
  }

  static grpc::Status Send(const ServerProcess& server, int port, const std::string& request_id,
                           v1::SendTestResponse* response) {
    v1::SendTestRequest request;
    auto* smtp = request.mutable_channel()->mutable_smtp();
    smtp->set_host("smtp.t.test");
    smtp->set_port(port);
    smtp->set_username(kUser);
    smtp->set_password(kGoodPassword);
    smtp->set_from_address(kUser);
    request.set_recipient("me@t.test");
    request.set_request_id(request_id);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    return server.Stub()->SendTest(&context, request, response);
  }

  // A peer that rejects every AUTH, slowly enough that concurrent calls overlap.
  static absl::StatusOr<SmtpPeer> RejectingPeer(int delay_ms = 0) {
    SmtpPeerOptions options;
    options.profile = "generic-auth-credentials-invalid";
    options.cert = ca_->valid();
    options.delay_ms = delay_ms;
    return SmtpPeer::Start(options);
  }

  // A real MTA-like peer that accepts kUser / kGoodPassword and takes messages.
  static absl::StatusOr<SmtpPeer> AcceptingPeer() {
    SmtpPeerOptions options;
    options.tls = SmtpTls::kStartTls;
    options.cert = ca_->valid();
    options.users = {{kUser, kGoodPassword}};
    return SmtpPeer::Start(options);
  }

  // The status of the store's health entry, or -1 when the call fails.
  static int StoreHealth(const ServerProcess& server) {
    grpc::health::v1::HealthCheckRequest request;
    request.set_service("channelverify.v1.StateStore");
    grpc::health::v1::HealthCheckResponse response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    if (!server.HealthStub()->Check(&context, request, &response).ok()) return -1;
    return response.status();
  }

  // Waits (bounded) until the store's health entry says `serving`.
  static bool WaitForStoreHealth(const ServerProcess& server, bool serving) {
    const int want = serving ? grpc::health::v1::HealthCheckResponse::SERVING
                             : grpc::health::v1::HealthCheckResponse::NOT_SERVING;
    return Eventually([&] { return StoreHealth(server) == want; }, absl::Seconds(10));
  }

  static inline TempDir* key_dir_ = nullptr;
  std::optional<RedisPeer> redis_;
};

TEST_F(SharedStateTest, ThirtyConcurrentWrongPasswordsOnThreeReplicasMakeAtMostThreeAuths) {
  auto peer = RejectingPeer(/*delay_ms=*/200);
  ASSERT_TRUE(peer.ok()) << peer.status();
  auto replicas = Replicas(3);
  ASSERT_EQ(replicas.size(), 3u);
  std::vector<std::future<std::pair<grpc::Status, v1::VerifyChannelResponse>>> calls;
  for (int i = 0; i < 30; ++i) {
    calls.push_back(std::async(std::launch::async, [&, i] {
      v1::VerifyChannelResponse r;
      grpc::Status s = Call(replicas[i % 3], Request(peer->port(), absl::StrCat("wrong-", i)), &r);
      return std::make_pair(s, r);
    }));
  }
  int answered = 0;
  int limited = 0;
  for (auto& call : calls) {
    auto [status, response] = call.get();
    if (status.ok()) {
      ++answered;
      EXPECT_NE(FindDiagnosis(response, v1::DIAGNOSIS_CODE_INVALID_CREDENTIALS), nullptr);
      continue;
    }
    ++limited;
    EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_EQ(ErrorReason(status), "AUTH_RATE_LIMITED");
    EXPECT_GT(RetryDelayMs(status), 0);
    EXPECT_EQ(ErrorMetadata(status, "account"), "smtp.t.test/jobs@t.test");
    EXPECT_THAT(status.error_message(), ::testing::Not(HasSubstr("wrong-")));
  }
  EXPECT_LE(AuthAttempts(*peer), 3u);
  EXPECT_EQ(answered + limited, 30);
  EXPECT_GE(limited, 27);
}

TEST_F(SharedStateTest, EverySpellingOfOneAccountSharesOneBudget) {
  auto peer = RejectingPeer();
  ASSERT_TRUE(peer.ok()) << peer.status();
  auto replicas = Replicas(2);
  ASSERT_EQ(replicas.size(), 2u);
  const std::vector<std::pair<std::string, std::string>> spellings = {
      {"smtp.t.test", "case@t.test"},   {"SMTP.T.TEST", "Case@t.test"},
      {"smtp.t.test.", "CASE@T.TEST"},  {"Smtp.T.Test", " case@t.test"},
      {"smtp.t.test", "case@t.test  "}, {"smtp.t.test.", "\uff43ase@t.test"}};
  int limited = 0;
  for (size_t i = 0; i < spellings.size(); ++i) {
    v1::VerifyChannelResponse r;
    const auto& [host, user] = spellings[i];
    grpc::Status s =
        Call(replicas[i % 2], Request(peer->port(), absl::StrCat("pw-", i), user, host), &r);
    if (!s.ok()) {
      EXPECT_EQ(ErrorReason(s), "AUTH_RATE_LIMITED")
          << host << " " << user << ": " << s.error_message();
      ++limited;
      continue;
    }
    // Answered: the server rejected this spelling's password, as it rejects every one.
    EXPECT_NE(FindDiagnosis(r, v1::DIAGNOSIS_CODE_INVALID_CREDENTIALS), nullptr)
        << host << " " << user << ": " << r.DebugString();
  }
  EXPECT_EQ(AuthAttempts(*peer), 3u);
  EXPECT_EQ(limited, 3);
}

TEST_F(SharedStateTest, ARepeatedPasswordMakesNoConnectionOnAnyReplica) {
  auto peer = RejectingPeer();
  ASSERT_TRUE(peer.ok()) << peer.status();
  auto replicas = Replicas(3);
  ASSERT_EQ(replicas.size(), 3u);
  v1::VerifyChannelResponse first;
  ASSERT_TRUE(Call(replicas[0], Request(peer->port(), "Hunter2-wrong"), &first).ok());
  const auto* rejected = FindDiagnosis(first, v1::DIAGNOSIS_CODE_INVALID_CREDENTIALS);
  ASSERT_NE(rejected, nullptr);
  ASSERT_EQ(peer->Transcripts().size(), 1u);
  for (int i = 0; i < 6; ++i) {
    v1::VerifyChannelResponse again;
    ASSERT_TRUE(Call(replicas[i % 3], Request(peer->port(), "Hunter2-wrong"), &again).ok()) << i;
    EXPECT_EQ(again.verdict(), v1::VERDICT_FAIL);
    const auto* same = FindDiagnosis(again, v1::DIAGNOSIS_CODE_INVALID_CREDENTIALS);
    ASSERT_NE(same, nullptr);
    EXPECT_EQ(same->title(), rejected->title());
    EXPECT_EQ(same->remediation(), rejected->remediation());
    EXPECT_THAT(::testing::PrintToString(same->evidence()),
                HasSubstr("rejected this exact password at"));
    EXPECT_THAT(::testing::PrintToString(same->evidence()), HasSubstr("535 5.7.8"));
    const auto* auth = FindProbe(again, "smtp.auth");
    ASSERT_NE(auth, nullptr);
    EXPECT_EQ(auth->status(), v1::PROBE_STATUS_SKIPPED);
    EXPECT_EQ(FindProbe(again, "smtp.tcp"), nullptr) << "nothing was dialed";
  }
  EXPECT_EQ(peer->Transcripts().size(), 1u) << "no connection for a repeat";
  // A corrected password is tried while the budget allows.
  v1::VerifyChannelResponse corrected;
  ASSERT_TRUE(Call(replicas[1], Request(peer->port(), "Hunter3-wrong"), &corrected).ok());
  EXPECT_EQ(AuthAttempts(*peer), 2u);
}

TEST_F(SharedStateTest, ARequestIdUsedOnOneReplicaIsRefusedOnAnother) {
  auto peer = AcceptingPeer();
  ASSERT_TRUE(peer.ok()) << peer.status();
  auto replicas = Replicas(3);
  ASSERT_EQ(replicas.size(), 3u);
  v1::SendTestResponse sent;
  grpc::Status first = Send(replicas[0], peer->port(), "onboarding-4711", &sent);
  ASSERT_TRUE(first.ok()) << first.error_message();
  EXPECT_TRUE(sent.accepted()) << sent.DebugString();
  for (int i = 1; i < 3; ++i) {
    v1::SendTestResponse again;
    grpc::Status repeat = Send(replicas[i], peer->port(), "onboarding-4711", &again);
    EXPECT_EQ(repeat.error_code(), grpc::StatusCode::ALREADY_EXISTS) << i;
    EXPECT_EQ(ErrorReason(repeat), "DUPLICATE_REQUEST");
  }
  auto messages = peer->WaitForMessages(1);
  ASSERT_TRUE(messages.ok()) << messages.status();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(peer->Messages().size(), 1u) << "one message, whatever replica the retry reached";
}

TEST_F(SharedStateTest, StoreDownFailsClosedAndTheServiceRecoversByItself) {
  auto rejecting = RejectingPeer();
  ASSERT_TRUE(rejecting.ok()) << rejecting.status();
  auto accepting = AcceptingPeer();
  ASSERT_TRUE(accepting.ok()) << accepting.status();
  auto replicas = Replicas(2);
  ASSERT_EQ(replicas.size(), 2u);
  ASSERT_TRUE(WaitForStoreHealth(replicas[0], true));

  redis_->Kill();
  ASSERT_TRUE(WaitForStoreHealth(replicas[0], false));
  // VerifyChannel: every probe but AUTH, and a diagnosis saying why AUTH was not tried.
  v1::VerifyChannelResponse r;
  ASSERT_TRUE(Call(replicas[0], Request(rejecting->port(), "while-down"), &r).ok());
  EXPECT_EQ(AuthAttempts(*rejecting), 0u) << "no AUTH without a reservation";
  ASSERT_NE(FindProbe(r, "smtp.ehlo"), nullptr);
  const auto* auth = FindProbe(r, "smtp.auth");
  ASSERT_NE(auth, nullptr);
  EXPECT_EQ(auth->status(), v1::PROBE_STATUS_SKIPPED);
  const auto* withheld = FindDiagnosis(r, v1::DIAGNOSIS_CODE_AUTH_NOT_ATTEMPTED);
  ASSERT_NE(withheld, nullptr);
  EXPECT_THAT(::testing::PrintToString(withheld->evidence()), HasSubstr("could not be reached"));
  EXPECT_NE(r.verdict(), v1::VERDICT_PASS);
  // SendTest with a request_id: refused rather than risk a second message.
  v1::SendTestResponse sent;
  grpc::Status refused = Send(replicas[1], accepting->port(), "while-down-1", &sent);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ErrorReason(refused), "STATE_STORE_UNAVAILABLE");
  EXPECT_TRUE(accepting->Messages().empty());
  // The server as a whole keeps serving.
  grpc::health::v1::HealthCheckRequest overall;
  grpc::health::v1::HealthCheckResponse health;
  grpc::ClientContext context;
  ASSERT_TRUE(replicas[0].HealthStub()->Check(&context, overall, &health).ok());
  EXPECT_EQ(health.status(), grpc::health::v1::HealthCheckResponse::SERVING);

  ASSERT_TRUE(redis_->Restart().ok());
  ASSERT_TRUE(WaitForStoreHealth(replicas[0], true));
  ASSERT_TRUE(WaitForStoreHealth(replicas[1], true));
  v1::VerifyChannelResponse after;
  ASSERT_TRUE(Call(replicas[0], Request(rejecting->port(), "after-restart"), &after).ok());
  EXPECT_EQ(AuthAttempts(*rejecting), 1u);
  EXPECT_EQ(FindDiagnosis(after, v1::DIAGNOSIS_CODE_AUTH_NOT_ATTEMPTED), nullptr);
  grpc::Status ok = Send(replicas[1], accepting->port(), "after-restart-1", &sent);
  EXPECT_TRUE(ok.ok()) << ok.error_message();
  EXPECT_TRUE(sent.accepted());
}

TEST_F(SharedStateTest, AStalledStoreFailsClosedWithinTheCallsDeadline) {
  auto rejecting = RejectingPeer();
  ASSERT_TRUE(rejecting.ok()) << rejecting.status();
  auto replicas = Replicas(1, {"--state_store_timeout_ms=300"});
  ASSERT_EQ(replicas.size(), 1u);
  ASSERT_TRUE(WaitForStoreHealth(replicas[0], true));
  redis_->Freeze();
  v1::VerifyChannelResponse r;
  grpc::Status s = Call(replicas[0], Request(rejecting->port(), "while-frozen"), &r);
  redis_->Thaw();
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_NE(FindDiagnosis(r, v1::DIAGNOSIS_CODE_AUTH_NOT_ATTEMPTED), nullptr);
  EXPECT_EQ(AuthAttempts(*rejecting), 0u);
  ASSERT_TRUE(WaitForStoreHealth(replicas[0], true)) << "back by itself once Redis answers";
}

TEST_F(SharedStateTest, NothingIsLeftInTheStoreAfterTheWindows) {
  auto rejecting = RejectingPeer();
  ASSERT_TRUE(rejecting.ok()) << rejecting.status();
  auto accepting = AcceptingPeer();
  ASSERT_TRUE(accepting.ok()) << accepting.status();
  auto replicas = Replicas(
      1, {"--auth_failure_window_s=2", "--send_dedup_window_s=2", "--send_quota_window_s=2"});
  ASSERT_EQ(replicas.size(), 1u);
  v1::VerifyChannelResponse r;
  // Another account than the SendTest's: its accepted AUTH would clear the failures.
  ASSERT_TRUE(Call(replicas[0], Request(rejecting->port(), "expiring", "other@t.test"), &r).ok());
  v1::SendTestResponse sent;
  ASSERT_TRUE(Send(replicas[0], accepting->port(), "expiring-1", &sent).ok());
  auto keys = redis_->Keys("cv:*");
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_GE(keys->size(), 6u) << "failures, the rejected password, the request id, 3 quotas: "
                              << ::testing::PrintToString(*keys);
  for (const auto& key : *keys) {
    EXPECT_THAT(key, ::testing::Not(HasSubstr("jobs"))) << "keys name digests, not accounts";
    auto ttl = redis_->Cli({"PTTL", key});
    ASSERT_TRUE(ttl.ok());
    EXPECT_GT(std::stol(*ttl), 0) << key << " has no TTL";
  }
  EXPECT_TRUE(Eventually(
      [&] {
        auto left = redis_->Keys("cv:*");
        return left.ok() && left->empty();
      },
      absl::Seconds(10)));
}

TEST_F(SharedStateTest, RedissWithAPasswordIsSharedAndAWrongCaOrPasswordFailsClosed) {
  RedisPeer::Options options;
  options.password = "redis-Pw-7x!";
  options.tls_cert_file = ca_->valid().cert.string();
  options.tls_key_file = ca_->valid().key.string();
  options.tls_ca_file = ca_->ca().string();
  auto tls_redis = RedisPeer::Start(options);
  ASSERT_TRUE(tls_redis.ok()) << tls_redis.status();
  // As a Kubernetes Secret mounts it: with a trailing newline.
  const std::string password_file = (key_dir_->path() / "redis.password").string();
  std::ofstream(password_file) << options.password << "\n";
  const std::string wrong_password_file = (key_dir_->path() / "wrong.password").string();
  std::ofstream(wrong_password_file) << "not-the-password\n";
  auto peer = RejectingPeer();
  ASSERT_TRUE(peer.ok()) << peer.status();

  auto replicas =
      Replicas(2, {},
               {"--state_store=" + tls_redis->url(), "--state_store_ca_file=" + ca_->ca().string(),
                "--state_store_password_file=" + password_file});
  ASSERT_EQ(replicas.size(), 2u);
  ASSERT_TRUE(WaitForStoreHealth(replicas[0], true));
  ASSERT_TRUE(WaitForStoreHealth(replicas[1], true));
  for (int i = 0; i < 4; ++i) {
    v1::VerifyChannelResponse r;
    ASSERT_TRUE(Call(replicas[i % 2], Request(peer->port(), "same-wrong"), &r).ok());
    EXPECT_NE(FindDiagnosis(r, v1::DIAGNOSIS_CODE_INVALID_CREDENTIALS), nullptr);
  }
  EXPECT_EQ(AuthAttempts(*peer), 1u);
  auto keys = tls_redis->Keys("cv:*");
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_FALSE(keys->empty());

  // Without the CA the store's certificate is not trusted; with a wrong password Redis refuses
  // the connection. Either way: no store, so no AUTH.
  for (const auto& bad : std::vector<std::vector<std::string>>{
           {"--state_store=" + tls_redis->url(), "--state_store_password_file=" + password_file},
           {"--state_store=" + tls_redis->url(), "--state_store_ca_file=" + ca_->ca().string(),
            "--state_store_password_file=" + wrong_password_file}}) {
    auto refused = Replicas(1, {}, bad);
    ASSERT_EQ(refused.size(), 1u);
    EXPECT_TRUE(WaitForStoreHealth(refused[0], false));
    v1::VerifyChannelResponse r;
    ASSERT_TRUE(Call(refused[0], Request(peer->port(), "another-wrong"), &r).ok());
    EXPECT_NE(FindDiagnosis(r, v1::DIAGNOSIS_CODE_AUTH_NOT_ATTEMPTED), nullptr);
    EXPECT_THAT(refused[0].Logs(), HasSubstr("state store down"));
    EXPECT_THAT(refused[0].Logs(), ::testing::Not(HasSubstr(options.password)));
  }
  EXPECT_EQ(AuthAttempts(*peer), 1u);
}

}  // namespace
}  // namespace cv::testing
