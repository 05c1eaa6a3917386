#include "observability/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "observability/metrics_server.h"
#include "observability/request_id.h"
#include "observability/service_metrics.h"

namespace cv::observability {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(MetricsTest, CounterRendersHelpTypeAndLabelledSeries) {
  Registry registry;
  Counter& c = registry.AddCounter("x_total", "Things.", {"method", "code"});
  c.Increment({"VerifyChannel", "OK"});
  c.Increment({"VerifyChannel", "OK"}, 2);
  c.Increment({"SendTest", "INVALID_ARGUMENT"});
  EXPECT_EQ(registry.Render(),
            "# HELP x_total Things.\n"
            "# TYPE x_total counter\n"
            "x_total{method=\"SendTest\",code=\"INVALID_ARGUMENT\"} 1\n"
            "x_total{method=\"VerifyChannel\",code=\"OK\"} 3\n");
  EXPECT_EQ(c.Value({"VerifyChannel", "OK"}), 3);
}

TEST(MetricsTest, UnlabelledFamiliesShowZeroBeforeFirstUse) {
  Registry registry;
  registry.AddCounter("rejections_total", "Refused.");
  registry.AddGauge("in_flight", "Running.");
  const std::string text = registry.Render();
  EXPECT_THAT(text, HasSubstr("\nrejections_total 0\n"));
  EXPECT_THAT(text, HasSubstr("\nin_flight 0\n"));
}

TEST(MetricsTest, CounterRefusesToGoDown) {
  Registry registry;
  Counter& c = registry.AddCounter("c_total", "C.");
  c.Increment({}, 5);
  c.Increment({}, -3);
  EXPECT_EQ(c.Value(), 5);
}

TEST(MetricsTest, GaugeGoesUpAndDown) {
  Registry registry;
  Gauge& g = registry.AddGauge("g", "G.");
  g.Add({}, 1);
  g.Add({}, 1);
  g.Add({}, -1);
  EXPECT_EQ(g.Value(), 1);
  EXPECT_THAT(registry.Render(), HasSubstr("\ng 1\n"));
}

TEST(MetricsTest, HistogramBucketsAreCumulativeWithSumAndCount) {
  Registry registry;
  Histogram& h = registry.AddHistogram("d_seconds", "D.", {"probe"}, {0.25, 1});
  h.Observe({"tcp"}, 0.125);
  h.Observe({"tcp"}, 0.25);  // on the bound: counts in le="0.25"
  h.Observe({"tcp"}, 0.5);
  h.Observe({"tcp"}, 7);
  EXPECT_EQ(registry.Render(),
            "# HELP d_seconds D.\n"
            "# TYPE d_seconds histogram\n"
            "d_seconds_bucket{probe=\"tcp\",le=\"0.25\"} 2\n"
            "d_seconds_bucket{probe=\"tcp\",le=\"1\"} 3\n"
            "d_seconds_bucket{probe=\"tcp\",le=\"+Inf\"} 4\n"
            "d_seconds_sum{probe=\"tcp\"} 7.875\n"
            "d_seconds_count{probe=\"tcp\"} 4\n");
  EXPECT_EQ(h.Count({"tcp"}), 4u);
}

TEST(MetricsTest, LabelValuesAreEscaped) {
  EXPECT_EQ(EscapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  Registry registry;
  registry.AddCounter("e_total", "E.", {"v"}).Increment({"say \"hi\""});
  EXPECT_THAT(registry.Render(), HasSubstr("e_total{v=\"say \\\"hi\\\"\"} 1\n"));
}

TEST(MetricsTest, WrongLabelCountKeepsOutputValid) {
  Registry registry;
  Counter& c = registry.AddCounter("w_total", "W.", {"a", "b"});
  c.Increment({"only-one"});
  EXPECT_THAT(registry.Render(), HasSubstr("w_total{a=\"only-one\",b=\"\"} 1\n"));
}

TEST(MetricsTest, FormatValue) {
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(12345678901), "12345678901");
  EXPECT_EQ(FormatValue(0.25), "0.25");
  EXPECT_EQ(FormatValue(0.1), "0.1");
  EXPECT_EQ(FormatValue(1.0 / 0.0), "+Inf");
}

TEST(MetricsTest, ConcurrentIncrementsAreAllCounted) {
  Registry registry;
  Counter& c = registry.AddCounter("t_total", "T.", {"k"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&c] {
      for (int i = 0; i < 10000; ++i) c.Increment({"x"});
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.Value({"x"}), 40000);
}

TEST(ServiceMetricsTest, ResultsCountVerdictDiagnosesAndProbes) {
  namespace v1 = channelverify::v1;
  auto& m = Metrics();
  const double fails = m.verifications.Value({"VerifyChannel", "fail"});
  const double auth = m.diagnoses.Value({"INVALID_CREDENTIALS"});
  const uint64_t probes = m.probe_seconds.Count({"smtp.auth", "failed"});
  v1::VerifyChannelResponse r;
  r.set_verdict(v1::VERDICT_FAIL);
  r.add_diagnoses()->set_code(v1::DIAGNOSIS_CODE_INVALID_CREDENTIALS);
  auto* probe = r.add_probes();
  probe->set_name("smtp.auth");
  probe->set_status(v1::PROBE_STATUS_FAILED);
  probe->mutable_duration()->set_nanos(20'000'000);
  RecordResult("VerifyChannel", r);
  EXPECT_EQ(m.verifications.Value({"VerifyChannel", "fail"}), fails + 1);
  EXPECT_EQ(m.diagnoses.Value({"INVALID_CREDENTIALS"}), auth + 1);
  EXPECT_EQ(m.probe_seconds.Count({"smtp.auth", "failed"}), probes + 1);
  const std::string text = m.registry.Render();
  EXPECT_THAT(text, HasSubstr("channel_verifier_limiter_rejections_total{reason=\"HOST_BUSY\"} "));
  EXPECT_THAT(text, HasSubstr("channel_verifier_verifications_total{method=\"VerifyChannel\","
                              "verdict=\"pass\"}"));
  EXPECT_THAT(text, HasSubstr("channel_verifier_probe_duration_seconds_bucket{probe=\"smtp.auth\","
                              "outcome=\"failed\",le=\"0.025\"}"));
}

TEST(ServiceMetricsTest, RpcsByMethodAndCodeName) {
  auto& m = Metrics();
  const double before = m.rpcs.Value({"ListDiagnoses", "INVALID_ARGUMENT"});
  RecordRpc("ListDiagnoses", grpc::StatusCode::INVALID_ARGUMENT, 0.001);
  EXPECT_EQ(m.rpcs.Value({"ListDiagnoses", "INVALID_ARGUMENT"}), before + 1);
  EXPECT_EQ(CodeName(grpc::StatusCode::RESOURCE_EXHAUSTED), "RESOURCE_EXHAUSTED");
  const double rejected = m.limiter_rejections.Value({"OVERLOADED"});
  CountLimiterRejection("OVERLOADED");
  EXPECT_EQ(m.limiter_rejections.Value({"OVERLOADED"}), rejected + 1);
}

TEST(ServiceMetricsTest, InFlightTokenCountsWhileHeld) {
  auto& m = Metrics();
  const double before = m.in_flight.Value();
  auto a = CountInFlight();
  auto b = CountInFlight();
  EXPECT_EQ(m.in_flight.Value(), before + 2);
  a.reset();
  EXPECT_EQ(m.in_flight.Value(), before + 1);
  b.reset();
  EXPECT_EQ(m.in_flight.Value(), before);
}

TEST(RequestIdTest, AcceptsSaneTokensOnly) {
  EXPECT_EQ(SanitizeRequestId("abc-123_X.y:z/1+2=@"), "abc-123_X.y:z/1+2=@");
  EXPECT_EQ(SanitizeRequestId(""), std::nullopt);
  EXPECT_EQ(SanitizeRequestId("has space"), std::nullopt);
  EXPECT_EQ(SanitizeRequestId("quote\"inject"), std::nullopt);
  EXPECT_EQ(SanitizeRequestId("line\nbreak"), std::nullopt);
  EXPECT_EQ(SanitizeRequestId(std::string(129, 'a')), std::nullopt);
  EXPECT_EQ(SanitizeRequestId(std::string(128, 'a')), std::string(128, 'a'));
}

TEST(RequestIdTest, NewIdsAreHexAndDistinct) {
  const std::string a = NewRequestId();
  const std::string b = NewRequestId();
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a, b);
}

TEST(ListenAddressTest, ParsesTheUsualForms) {
  auto v4 = ParseListenAddress("127.0.0.1:9090");
  ASSERT_TRUE(v4.ok()) << v4.status();
  EXPECT_EQ(v4->address().to_string(), "127.0.0.1");
  EXPECT_EQ(v4->port(), 9090);
  auto any = ParseListenAddress(":9090");
  ASSERT_TRUE(any.ok());
  EXPECT_EQ(any->address().to_string(), "0.0.0.0");
  auto v6 = ParseListenAddress("[::1]:0");
  ASSERT_TRUE(v6.ok());
  EXPECT_TRUE(v6->address().is_v6());
  auto local = ParseListenAddress("localhost:1");
  ASSERT_TRUE(local.ok());
  EXPECT_TRUE(local->address().is_loopback());
}

TEST(ListenAddressTest, RefusesTyposWithAClearMessage) {
  for (const char* bad : {"9090", "0.0.0.0", "0.0.0.0:", "0.0.0.0:http", "0.0.0.0:65536",
                          "::1:9090", "[::1]9090", "example.com:9090", "1.2.3:80"}) {
    auto parsed = ParseListenAddress(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
    EXPECT_THAT(std::string(parsed.status().message()), HasSubstr("bad listen address")) << bad;
  }
}

}  // namespace
}  // namespace cv::observability
