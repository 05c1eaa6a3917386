#include <gtest/gtest.h>

#include "rpc/auth_limiter.h"
#include "rpc/in_flight.h"

namespace cv::rpc {
namespace {

using std::chrono::minutes;

TEST(AuthLimiterTest, BlocksAfterMaxFailuresWithinTheWindowAndReleasesAfterIt) {
  AuthLimiter limiter({.max_failures = 3, .window = minutes(15), .max_keys = 10});
  const auto t0 = AuthLimiter::Clock::now();
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(limiter.Blocked("SMTP.example.com", "a", t0 + minutes(i)));
    limiter.RecordFailure("smtp.example.com.", "a", t0 + minutes(i));
  }
  const auto wait = limiter.Blocked("smtp.example.com", "a", t0 + minutes(3));
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, minutes(12));  // the first failure leaves the window at t0 + 15 min
  EXPECT_FALSE(limiter.Blocked("smtp.example.com", "b", t0 + minutes(3)));
  EXPECT_FALSE(limiter.Blocked("smtp.example.com", "a", t0 + minutes(15)));
}

TEST(AuthLimiterTest, SuccessClearsTheRecord) {
  AuthLimiter limiter({.max_failures = 2, .window = minutes(15), .max_keys = 10});
  limiter.RecordFailure("h", "u");
  limiter.RecordSuccess("h", "u");
  limiter.RecordFailure("h", "u");
  EXPECT_FALSE(limiter.Blocked("h", "u"));
}

TEST(AuthLimiterTest, StaysBoundedInSize) {
  AuthLimiter limiter({.max_failures = 1, .window = minutes(15), .max_keys = 2});
  limiter.RecordFailure("h", "1");
  limiter.RecordFailure("h", "2");
  limiter.RecordFailure("h", "3");  // evicts "1"
  EXPECT_FALSE(limiter.Blocked("h", "1"));
  EXPECT_TRUE(limiter.Blocked("h", "3"));
}

TEST(InFlightTest, CapsInTotalAndPerHostAndReleases) {
  InFlight caps({.max_total = 3, .max_per_host = 2});
  InFlight::Refusal refusal;
  auto a = caps.TryAcquire("a.test", &refusal);
  auto b = caps.TryAcquire("A.TEST", &refusal);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(caps.TryAcquire("a.test", &refusal), nullptr);
  EXPECT_EQ(refusal, InFlight::Refusal::kHost);
  auto c = caps.TryAcquire("b.test", &refusal);
  ASSERT_TRUE(c);
  EXPECT_EQ(caps.TryAcquire("c.test", &refusal), nullptr);
  EXPECT_EQ(refusal, InFlight::Refusal::kTotal);
  a.reset();
  EXPECT_NE(caps.TryAcquire("a.test", &refusal), nullptr);
  EXPECT_EQ(caps.total(), 2u);  // the temporary slot above was released at once
}

}  // namespace
}  // namespace cv::rpc
