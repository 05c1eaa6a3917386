// channelctl health through the server's life: SERVING while up, NOT_SERVING (exit 2) while it
// drains after SIGTERM, as kubelet and load balancers see it, in text and in JSON.
#include <google/protobuf/util/json_util.h>
#include <signal.h>

#include "ctl_support.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.pb.h"
#include "gtest/gtest.h"
#include "support/server.h"

namespace cv::testing {
namespace {
using grpc::health::v1::HealthCheckResponse;

HealthCheckResponse::ServingStatus ParseHealth(const CtlResult& r) {
  HealthCheckResponse response;
  const auto parsed = google::protobuf::util::JsonStringToMessage(r.out, &response);
  EXPECT_TRUE(parsed.ok()) << parsed << "\n" << r.out;
  return response.status();
}

TEST(ChannelctlHealth, ServingThenNotServingWhileDraining) {
  auto server = ServerProcess::Start({"--shutdown_delay_ms=30000"});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string flag = "--server=" + server->address();

  CtlResult up = RunCtl({flag, "health"});
  EXPECT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(up.out, "SERVING\n");
  CtlResult up_json = RunCtl({flag, "health", "--output", "json"});
  EXPECT_EQ(up_json.exit_code, 0) << up_json.err;
  EXPECT_EQ(ParseHealth(up_json), HealthCheckResponse::SERVING);

  // After SIGTERM the server keeps answering for --shutdown_delay_ms, saying NOT_SERVING; the
  // switch happens just after its "shutting down" log line, so ask until it shows.
  ASSERT_EQ(::kill(server->process().pid(), SIGTERM), 0);
  CtlResult down;
  for (int i = 0; i < 100; ++i) {
    down = RunCtl({flag, "health"});
    if (down.exit_code != 0) break;
  }
  EXPECT_EQ(down.exit_code, 2) << down.out << down.err;
  EXPECT_EQ(down.out, "NOT_SERVING\n");
  CtlResult down_json = RunCtl({flag, "health", "--output", "json"});
  EXPECT_EQ(down_json.exit_code, 2) << down_json.err;
  EXPECT_EQ(ParseHealth(down_json), HealthCheckResponse::NOT_SERVING);
  // The API's own service name is reported the same way.
  CtlResult service =
      RunCtl({flag, "health", "--service", "channelverify.v1.ChannelVerifierService"});
  EXPECT_EQ(service.exit_code, 2) << service.err;
  EXPECT_EQ(service.out, "NOT_SERVING\n");
}

}  // namespace
}  // namespace cv::testing
