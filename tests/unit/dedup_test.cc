#include "rpc/dedup.h"

#include <chrono>
#include <string>

#include "gtest/gtest.h"

namespace cv::rpc {
namespace {

using Result = RequestDedup::Result;
using std::chrono::seconds;

TEST(RequestDedupTest, SecondClaimInsideTheWindowIsADuplicate) {
  RequestDedup dedup(seconds(600), 10);
  const auto t0 = RequestDedup::Clock::now();
  EXPECT_EQ(dedup.Claim("req-1", t0), Result::kClaimed);
  EXPECT_EQ(dedup.Claim("req-1", t0 + seconds(1)), Result::kDuplicate);
  EXPECT_EQ(dedup.Claim("req-1", t0 + seconds(599)), Result::kDuplicate);
  EXPECT_EQ(dedup.Claim("req-2", t0 + seconds(2)), Result::kClaimed);
}

TEST(RequestDedupTest, IdsExpireAfterTheWindow) {
  RequestDedup dedup(seconds(600), 10);
  const auto t0 = RequestDedup::Clock::now();
  EXPECT_EQ(dedup.Claim("req-1", t0), Result::kClaimed);
  EXPECT_EQ(dedup.Claim("req-1", t0 + seconds(600)), Result::kClaimed);
  EXPECT_EQ(dedup.Claim("req-1", t0 + seconds(601)), Result::kDuplicate);
  EXPECT_EQ(dedup.size(), 1u);
}

// Full means "refuse", never "forget the oldest": forgetting would allow a second message.
TEST(RequestDedupTest, BoundedAndRefusesWhenFull) {
  RequestDedup dedup(seconds(600), 3);
  const auto t0 = RequestDedup::Clock::now();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(dedup.Claim("id" + std::to_string(i), t0 + seconds(i)), Result::kClaimed);
  }
  EXPECT_EQ(dedup.Claim("id3", t0 + seconds(10)), Result::kFull);
  EXPECT_EQ(dedup.Claim("id0", t0 + seconds(10)), Result::kDuplicate);
  EXPECT_EQ(dedup.size(), 3u);
  // Once the first id's window has passed, room is made.
  EXPECT_EQ(dedup.Claim("id3", t0 + seconds(600)), Result::kClaimed);
  EXPECT_EQ(dedup.size(), 3u);
}

TEST(RequestDedupTest, ZeroWindowTurnsItOff) {
  RequestDedup dedup(seconds(0), 1);
  const auto t0 = RequestDedup::Clock::now();
  EXPECT_EQ(dedup.Claim("a", t0), Result::kClaimed);
  EXPECT_EQ(dedup.Claim("a", t0), Result::kClaimed);
}

}  // namespace
}  // namespace cv::rpc
