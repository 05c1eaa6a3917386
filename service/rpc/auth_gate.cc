#include "rpc/auth_gate.h"

#include <boost/asio/steady_timer.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/log.h"
#include "diagnosis/rejection_record.h"
#include "observability/service_metrics.h"
#include "rpc/account_key.h"
#include "rpc/status.h"

namespace cv::rpc {
using state::Reservation;
using state::Settlement;

namespace {

// A settle that fails is retried this often, a second apart: a rejection the store never
// heard of would let the next call try again.
constexpr int kSettleAttempts = 30;

std::string UtcText(int64_t unix_ms) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", absl::FromUnixMillis(unix_ms),
                          absl::UTCTimeZone());
}

}  // namespace

AuthGate::AuthGate(std::shared_ptr<state::Store> store,
                   std::shared_ptr<const state::Keyring> keyring, state::AuthBudget budget,
                   boost::asio::any_io_executor executor)
    : store_(std::move(store)),
      keyring_(std::move(keyring)),
      budget_(budget),
      executor_(std::move(executor)) {}

void AuthGate::Reserve(const probe::SmtpTarget& target, const std::string& server,
                       std::chrono::milliseconds lease, std::function<void(Decision)> done) {
  const std::string account = AccountKeyAt(server, target.username);
  // 128 bits name the account in the store; the password's MAC is bound to the account, so
  // one password used by two accounts gives two unrelated digests.
  std::string digest = keyring_->Mac("account", {account}, 32);
  std::string mac = keyring_->Mac("password", {account, target.password.Reveal()});
  store_->ReserveAuth(
      digest, mac, budget_, lease,
      [this, account, digest, mac, done = std::move(done)](Reservation r) {
        Decision d;
        std::string outcome;
        switch (r.kind) {
          case Reservation::Kind::kReserved:
            d.kind = Decision::Kind::kProceed;
            d.account_digest = digest;
            d.password_mac = mac;
            outcome = "reserved";
            break;
          case Reservation::Kind::kKnownRejected:
            if (diagnosis::DecodeRejection(r.rejection, &d.known)) {
              d.kind = Decision::Kind::kKnownRejected;
              d.known_at = UtcText(r.rejected_at_ms);
              d.known.evidence.push_back(absl::StrCat(
                  "the server rejected this exact password at ", d.known_at,
                  "; it was not sent again, since every repeat counts towards the account's "
                  "lockout"));
              outcome = "known_rejected";
            } else {
              // A record this build cannot read: withhold rather than send a known-bad password.
              d.kind = Decision::Kind::kProceedWithoutAuth;
              outcome = "unavailable";
            }
            break;
          case Reservation::Kind::kExhausted:
          case Reservation::Kind::kSamePasswordInFlight: {
            const bool same = r.kind == Reservation::Kind::kSamePasswordInFlight;
            const long ms = static_cast<long>(r.retry_after.count());
            d.kind = Decision::Kind::kRefused;
            d.refusal = Error(
                grpc::StatusCode::RESOURCE_EXHAUSTED, "AUTH_RATE_LIMITED",
                same
                    ? absl::StrCat("this password is being tried for ", account,
                                   " by another call right now; retry in ", (ms + 999) / 1000, " s")
                    : absl::StrCat("sign-in attempts for ", account,
                                   " that failed or are under "
                                   "way fill its budget of ",
                                   budget_.max_failures, " per ", budget_.window.count() / 1000,
                                   " s; not trying again for ", (ms + 999) / 1000,
                                   " s, so the account does not get locked"),
                std::max(ms, 1L), {{"account", account}});
            outcome = same ? "same_in_flight" : "exhausted";
            break;
          }
          case Reservation::Kind::kUnavailable:
            d.kind = Decision::Kind::kProceedWithoutAuth;
            outcome = "unavailable";
            log::Warning("auth budget store unreachable; AUTH withheld",
                         {{"store", store_->kind()}});
            break;
        }
        observability::CountAuthBudget(outcome);
        done(std::move(d));
      });
}

void AuthGate::Settle(const Decision& decision, const probe::AuthReport& report,
                      std::function<void()> done) {
  if (decision.kind != Decision::Kind::kProceed) {
    done();
    return;
  }
  Settlement settlement = Settlement::kReleased;
  std::string record;
  switch (report.outcome) {
    case probe::AuthReport::Outcome::kAccepted:
      settlement = Settlement::kAccepted;
      break;
    case probe::AuthReport::Outcome::kRejected:
      settlement = Settlement::kRejected;
      record = diagnosis::EncodeRejection(report.code, report.variant, report.reply);
      break;
    case probe::AuthReport::Outcome::kNotSent:
    case probe::AuthReport::Outcome::kNoVerdict:
      break;
  }
  SettleAttempt(decision.account_digest, decision.password_mac, settlement, std::move(record),
                kSettleAttempts, std::move(done));
}

void AuthGate::SettleAttempt(std::string account, std::string mac, Settlement settlement,
                             std::string record, int attempts_left, std::function<void()> done) {
  store_->SettleAuth(
      account, mac, settlement, record, budget_,
      [this, account, mac, settlement, record, attempts_left,
       done = std::move(done)](bool ok) mutable {
        if (done) done();
        if (ok || attempts_left <= 1) {
          if (!ok) log::Warning("auth budget: a settlement was lost", {{"store", store_->kind()}});
          return;
        }
        auto timer =
            std::make_shared<boost::asio::steady_timer>(executor_, std::chrono::seconds(1));
        timer->async_wait([this, timer, account = std::move(account), mac = std::move(mac),
                           settlement, record = std::move(record),
                           attempts_left](boost::system::error_code) mutable {
          SettleAttempt(std::move(account), std::move(mac), settlement, std::move(record),
                        attempts_left - 1, nullptr);
        });
      });
}

}  // namespace cv::rpc
