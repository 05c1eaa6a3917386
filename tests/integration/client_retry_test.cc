// channelverify::Client: retries on UNAVAILABLE through the channel's service config, never
// for SendTest; deadlines; the callback API. Against the real server binary (down, then up)
// and a fake service that fails on purpose.
#include <future>
#include <thread>

#include "channelverify/client.h"
#include "ctl_support.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "support/process.h"
#include "support/server.h"

namespace cv::testing {
namespace {
namespace v1 = channelverify::v1;
using Clock = std::chrono::steady_clock;

std::unique_ptr<channelverify::Client> MakeClient(
    const std::string& target, channelverify::RetryOptions retry = {},
    std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  channelverify::ClientOptions options;
  options.target = target;
  options.retry = retry;
  options.timeout = timeout;
  std::unique_ptr<channelverify::Client> client;
  EXPECT_TRUE(channelverify::Client::Create(options, &client).ok());
  return client;
}

v1::SendTestRequest SomeSendTest() {
  v1::SendTestRequest request;
  request.mutable_channel()->mutable_smtp()->set_host("smtp.t.test");
  request.set_recipient("me@t.test");
  request.set_request_id(channelverify::Client::NewRequestId());
  return request;
}

// The server is down when the call starts and comes up on the same port 1.2 s later: the call
// succeeds within its one deadline, without the caller doing anything.
TEST(ClientRetry, ServerDownThenUp) {
  auto port = FreePort();
  ASSERT_TRUE(port.ok()) << port.status();
  const std::string address = "127.0.0.1:" + std::to_string(*port);
  // Backoffs of 0.5, 1, 2 and 4 s: the fifth attempt comes 7.5 s after the first, room for a
  // slow start of the server on a busy machine.
  channelverify::RetryOptions retry;
  retry.initial_backoff = std::chrono::milliseconds(500);
  retry.max_backoff = std::chrono::milliseconds(4000);
  auto client = MakeClient(address, retry);

  std::promise<absl::StatusOr<ServerProcess>> started;
  std::thread starter([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    // A later --listen overrides ServerProcess's own "127.0.0.1:0".
    started.set_value(ServerProcess::Start({"--listen=" + address, "--io_threads=2"}));
  });
  const auto start = Clock::now();
  v1::ListDiagnosesResponse response;
  grpc::Status status = client->ListDiagnoses({}, &response);
  const auto elapsed = Clock::now() - start;
  starter.join();
  auto server = started.get_future().get();
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
  EXPECT_GT(response.entries_size(), 40);
  EXPECT_GE(elapsed, std::chrono::milliseconds(1200)) << "the call cannot have waited";
}

// Backoffs that no call of a test may wait out: a retry would come seconds after the failed
// attempt (gRPC jitters a backoff by a fifth at most), so "no retry" can be told from "a retry"
// by a bound far from both, which no load on the machine reaches.
channelverify::RetryOptions LongBackoff(int max_attempts) {
  channelverify::RetryOptions retry;
  retry.max_attempts = max_attempts;
  retry.initial_backoff = std::chrono::seconds(10);
  retry.max_backoff = std::chrono::seconds(10);
  return retry;
}
constexpr auto kWellBeforeARetry = std::chrono::seconds(5);

TEST(ClientRetry, WithoutRetriesAServerThatIsDownFailsAtOnce) {
  auto port = FreePort();
  ASSERT_TRUE(port.ok());
  auto client = MakeClient("127.0.0.1:" + std::to_string(*port), LongBackoff(1));
  const auto start = Clock::now();
  v1::ListDiagnosesResponse response;
  EXPECT_EQ(client->ListDiagnoses({}, &response).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_LT(Clock::now() - start, kWellBeforeARetry);
}

TEST(ClientRetry, VerifyAndListAreRetriedOnUnavailable) {
  FakeVerifier fake;
  FakeServer server(&fake);
  fake.verify_response.set_verdict(v1::VERDICT_PASS);
  fake.fail_first = 2;
  auto client = MakeClient(server.address());
  v1::VerifyChannelResponse response;
  grpc::Status s = client->VerifyChannel({}, &response);
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(fake.verify_calls.load(), 3);
  EXPECT_EQ(response.verdict(), v1::VERDICT_PASS);

  v1::ListDiagnosesResponse list;
  EXPECT_TRUE(client->ListDiagnoses({}, &list).ok());
  EXPECT_EQ(fake.list_calls.load(), 3);
}

TEST(ClientRetry, GivesUpAfterMaxAttempts) {
  FakeVerifier fake;
  FakeServer server(&fake);
  fake.fail_first = 1000;
  channelverify::RetryOptions retry;
  retry.max_attempts = 3;
  retry.initial_backoff = std::chrono::milliseconds(10);
  auto client = MakeClient(server.address(), retry);
  v1::VerifyChannelResponse response;
  EXPECT_EQ(client->VerifyChannel({}, &response).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(fake.verify_calls.load(), 3);
}

TEST(ClientRetry, OtherErrorsAreNotRetried) {
  FakeVerifier fake;
  FakeServer server(&fake);
  fake.fail_first = 1000;
  fake.failure = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "channel: required");
  auto client = MakeClient(server.address());
  v1::VerifyChannelResponse response;
  EXPECT_EQ(client->VerifyChannel({}, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(fake.verify_calls.load(), 1);
}

// Every SendTest that reaches a server may send a message: one attempt, whatever happens.
TEST(ClientRetry, SendTestIsNeverRetried) {
  FakeVerifier fake;
  FakeServer server(&fake);
  fake.fail_first = 1000;
  auto client = MakeClient(server.address());
  v1::SendTestResponse response;
  EXPECT_EQ(client->SendTest(SomeSendTest(), &response).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(fake.send_calls.load(), 1);

  std::promise<grpc::Status> done;
  client->SendTestAsync(
      SomeSendTest(), [&](grpc::Status s, v1::SendTestResponse) { done.set_value(std::move(s)); });
  EXPECT_EQ(done.get_future().get().error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(fake.send_calls.load(), 2);
}

TEST(ClientRetry, SendTestToAServerThatIsDownFailsAtOnce) {
  auto port = FreePort();
  ASSERT_TRUE(port.ok());
  // Retries on for the other methods; SendTest must not take them.
  auto client = MakeClient("127.0.0.1:" + std::to_string(*port), LongBackoff(5));
  const auto start = Clock::now();
  v1::SendTestResponse response;
  EXPECT_EQ(client->SendTest(SomeSendTest(), &response).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_LT(Clock::now() - start, kWellBeforeARetry);
}

TEST(ClientRetry, AsyncVerifyRetriesAndCallsBackOnce) {
  FakeVerifier fake;
  FakeServer server(&fake);
  fake.verify_response.set_verdict(v1::VERDICT_WARN);
  fake.fail_first = 1;
  auto client = MakeClient(server.address());
  std::promise<std::pair<grpc::Status, v1::VerifyChannelResponse>> done;
  client->VerifyChannelAsync({}, [&](grpc::Status s, v1::VerifyChannelResponse r) {
    done.set_value({std::move(s), std::move(r)});
  });
  auto [status, response] = done.get_future().get();
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.verdict(), v1::VERDICT_WARN);
  EXPECT_EQ(fake.verify_calls.load(), 2);
}

TEST(ClientRetry, DeadlineCoversAllAttempts) {
  FakeVerifier fake;
  FakeServer server(&fake);
  fake.delay = std::chrono::milliseconds(500);
  auto client = MakeClient(server.address());
  channelverify::CallOptions call;
  call.timeout = std::chrono::milliseconds(200);
  v1::VerifyChannelResponse response;
  // DEADLINE_EXCEEDED: the call ended at its timeout, before the fake's answer (which would
  // have made it OK), and no second attempt followed (on a loaded machine the one attempt may
  // not even reach the fake before the timeout).
  EXPECT_EQ(client->VerifyChannel({}, &response, call).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_LE(fake.verify_calls.load(), 1);
}

TEST(ClientRetry, ServiceConfigHasNoRetryPolicyForSendTest) {
  const std::string json = channelverify::Client::ServiceConfigJson({});
  const size_t send = json.find("\"SendTest\"");
  ASSERT_NE(send, std::string::npos);
  EXPECT_EQ(json.find("retryPolicy", send), std::string::npos) << json;
  EXPECT_NE(json.find("\"retryableStatusCodes\": [\"UNAVAILABLE\"]"), std::string::npos);
  EXPECT_NE(json.find("\"initialBackoff\": \"0.250s\""), std::string::npos) << json;
}

TEST(ClientOptions, BadTlsFilesAreInvalidArgument) {
  channelverify::ClientOptions options;
  options.ca_file = "/nonexistent/ca.pem";
  std::unique_ptr<channelverify::Client> client;
  EXPECT_EQ(channelverify::Client::Create(options, &client).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  options.ca_file.clear();
  options.cert_file = "/etc/hostname";
  EXPECT_EQ(channelverify::Client::Create(options, &client).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace cv::testing
