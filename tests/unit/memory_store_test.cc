// The in-process store's rules, on a fake clock: the same rules the Redis scripts implement
// (tests/integration/state_store_test.cc holds the two to one another).
#include "state/memory_store.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

namespace cv::state {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using Kind = Reservation::Kind;

class MemoryStoreTest : public ::testing::Test {
 protected:
  MemoryStore Store(size_t max_keys = 100, size_t max_claims = 100) {
    MemoryStore::Options options;
    options.max_keys = max_keys;
    options.max_claims = max_claims;
    options.now_ms = [this] { return now_; };
    return MemoryStore(io_.get_executor(), std::move(options));
  }
  boost::asio::io_context io_;
  int64_t now_ = 1'000'000;
  const AuthBudget budget_{.max_failures = 3, .window = minutes(15)};
  const milliseconds lease_{30000};
};

TEST_F(MemoryStoreTest, ReservationsCountAgainstTheBudgetBeforeAnyFailure) {
  auto store = Store();
  EXPECT_EQ(store.Reserve("a", "p1", budget_, lease_).kind, Kind::kReserved);
  EXPECT_EQ(store.Reserve("a", "p2", budget_, lease_).kind, Kind::kReserved);
  EXPECT_EQ(store.Reserve("a", "p3", budget_, lease_).kind, Kind::kReserved);
  const Reservation full = store.Reserve("a", "p4", budget_, lease_);
  EXPECT_EQ(full.kind, Kind::kExhausted);
  // Room again when the first lease ends, at the latest.
  EXPECT_GT(full.retry_after.count(), 0);
  EXPECT_LE(full.retry_after, lease_);
  // Another account is not affected.
  EXPECT_EQ(store.Reserve("b", "p1", budget_, lease_).kind, Kind::kReserved);
}

TEST_F(MemoryStoreTest, ReleasedAndAcceptedGiveTheSlotBack) {
  auto store = Store();
  for (const char* p : {"p1", "p2", "p3"}) {
    ASSERT_EQ(store.Reserve("a", p, budget_, lease_).kind, Kind::kReserved);
  }
  store.Settle("a", "p1", Settlement::kReleased, "", budget_);
  EXPECT_EQ(store.Reserve("a", "p4", budget_, lease_).kind, Kind::kReserved);
  store.Settle("a", "p2", Settlement::kAccepted, "", budget_);
  EXPECT_EQ(store.Reserve("a", "p5", budget_, lease_).kind, Kind::kReserved);
  EXPECT_EQ(store.Reserve("a", "p6", budget_, lease_).kind, Kind::kExhausted);
}

TEST_F(MemoryStoreTest, RejectionsFillTheBudgetForTheWindow) {
  auto store = Store();
  for (const char* p : {"p1", "p2", "p3"}) {
    ASSERT_EQ(store.Reserve("a", p, budget_, lease_).kind, Kind::kReserved);
    store.Settle("a", p, Settlement::kRejected, "35|tenant|535 no", budget_);
    now_ += 1000;
  }
  const Reservation full = store.Reserve("a", "p4", budget_, lease_);
  ASSERT_EQ(full.kind, Kind::kExhausted);
  // The first failure (at 1,000,000) leaves the window 15 minutes later.
  EXPECT_EQ(full.retry_after.count(), 1'000'000 + 15 * 60'000 - now_);
  now_ = 1'000'000 + 15 * 60'000;
  EXPECT_EQ(store.Reserve("a", "p4", budget_, lease_).kind, Kind::kReserved);
}

TEST_F(MemoryStoreTest, ARejectedPasswordIsKnownForTheWindowEvenWithTheBudgetFull) {
  auto store = Store();
  ASSERT_EQ(store.Reserve("a", "bad", budget_, lease_).kind, Kind::kReserved);
  store.Settle("a", "bad", Settlement::kRejected, "35||535 5.7.8 no", budget_);
  for (const char* p : {"p2", "p3"}) {
    ASSERT_EQ(store.Reserve("a", p, budget_, lease_).kind, Kind::kReserved);
    store.Settle("a", p, Settlement::kRejected, "35||535", budget_);
  }
  now_ += 5000;
  const Reservation known = store.Reserve("a", "bad", budget_, lease_);
  ASSERT_EQ(known.kind, Kind::kKnownRejected);
  EXPECT_EQ(known.rejection, "35||535 5.7.8 no");
  EXPECT_EQ(known.rejected_at_ms, 1'000'000);
  // Known only for that account.
  EXPECT_EQ(store.Reserve("b", "bad", budget_, lease_).kind, Kind::kReserved);
  now_ = 1'000'000 + 15 * 60'000;
  EXPECT_EQ(store.Reserve("a", "bad", budget_, lease_).kind, Kind::kReserved);
}

TEST_F(MemoryStoreTest, TheSamePasswordTwiceAtOnceIsOneAttempt) {
  auto store = Store();
  ASSERT_EQ(store.Reserve("a", "p", budget_, lease_).kind, Kind::kReserved);
  const Reservation same = store.Reserve("a", "p", budget_, lease_);
  EXPECT_EQ(same.kind, Kind::kSamePasswordInFlight);
  EXPECT_GT(same.retry_after.count(), 0);
  EXPECT_LE(same.retry_after.count(), 5000);
}

TEST_F(MemoryStoreTest, AnUnsettledReservationEndsWithItsLease) {
  auto store = Store();
  for (const char* p : {"p1", "p2", "p3"}) {
    ASSERT_EQ(store.Reserve("a", p, budget_, lease_).kind, Kind::kReserved);
  }
  now_ += lease_.count();
  EXPECT_EQ(store.Reserve("a", "p4", budget_, lease_).kind, Kind::kReserved);
}

TEST_F(MemoryStoreTest, AccountsAreBoundedLeastRecentlyUsedFirst) {
  auto store = Store(/*max_keys=*/2);
  store.Reserve("a", "p", budget_, lease_);
  store.Reserve("b", "p", budget_, lease_);
  store.Reserve("a", "q", budget_, lease_);  // a is now the most recent
  store.Reserve("c", "p", budget_, lease_);  // evicts b
  EXPECT_EQ(store.accounts(), 2u);
  EXPECT_EQ(store.Reserve("a", "p", budget_, lease_).kind, Kind::kSamePasswordInFlight);
  EXPECT_EQ(store.Reserve("b", "p", budget_, lease_).kind, Kind::kReserved);
}

TEST_F(MemoryStoreTest, ClaimsAreOncePerTtlAndBounded) {
  auto store = Store(100, /*max_claims=*/2);
  EXPECT_EQ(store.ClaimNow("x", milliseconds(1000)), Claim::kClaimed);
  EXPECT_EQ(store.ClaimNow("x", milliseconds(1000)), Claim::kDuplicate);
  EXPECT_EQ(store.ClaimNow("y", milliseconds(1000)), Claim::kClaimed);
  EXPECT_EQ(store.ClaimNow("z", milliseconds(1000)), Claim::kFull);
  now_ += 1000;
  EXPECT_EQ(store.ClaimNow("x", milliseconds(1000)), Claim::kClaimed);
  EXPECT_EQ(store.ClaimNow("z", milliseconds(1000)), Claim::kClaimed);
}

TEST_F(MemoryStoreTest, QuotasCountAllOrNothingInASlidingWindow) {
  auto store = Store();
  const std::vector<Quota> both = {{"recipient", 2}, {"caller", 3}};
  EXPECT_EQ(store.Consume(both, minutes(60)).kind, QuotaResult::Kind::kAllowed);
  now_ += 1000;
  EXPECT_EQ(store.Consume(both, minutes(60)).kind, QuotaResult::Kind::kAllowed);
  const QuotaResult full = store.Consume(both, minutes(60));
  ASSERT_EQ(full.kind, QuotaResult::Kind::kExceeded);
  EXPECT_EQ(full.exceeded, 0u);
  EXPECT_EQ(full.retry_after.count(), 60 * 60'000 - 1000);
  // Nothing was counted against the caller quota by the refused event.
  EXPECT_EQ(store.Consume({{"caller", 3}}, minutes(60)).kind, QuotaResult::Kind::kAllowed);
  EXPECT_EQ(store.Consume({{"caller", 3}}, minutes(60)).kind, QuotaResult::Kind::kExceeded);
  now_ = 1'000'000 + 60 * 60'000;
  EXPECT_EQ(store.Consume(both, minutes(60)).kind, QuotaResult::Kind::kAllowed);
}

TEST_F(MemoryStoreTest, CallbacksAreNeverInline) {
  auto store = Store();
  bool called = false;
  store.ReserveAuth("a", "p", budget_, lease_, [&](Reservation) { called = true; });
  EXPECT_FALSE(called);
  io_.run();
  EXPECT_TRUE(called);
}

}  // namespace
}  // namespace cv::state
