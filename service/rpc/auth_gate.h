#pragma once

#include <grpcpp/support/status.h>

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "diagnosis/finding.h"
#include "probe/smtp_request.h"
#include "state/keyring.h"
#include "state/store.h"

namespace cv::rpc {

// The AUTH budget in front of every password AUTH: never get a customer's mailbox locked, on
// any number of calls at once or replicas sharing a store.
//
// - Reserve before dialing: one slot of the account's budget is taken atomically before the
//   connection that carries the AUTH is opened. A rejection turns the slot into a failure; a
//   success, or no AUTH sent after all, gives it back.
// - One account, one key (rpc/account_key.h).
// - A password the server rejected within the window is never sent again: the call is answered
//   from that memory (a keyed hash of the password, never the password).
// - When the store cannot be asked, no AUTH is sent (fail closed) and the other probes run.
class AuthGate {
 public:
  struct Decision {
    enum class Kind {
      kProceed,             // reserved: run, then Settle()
      kProceedWithoutAuth,  // the store is unreachable: run with AUTH withheld
      kKnownRejected,       // answer with `known`; nothing is dialed
      kRefused,             // answer with `refusal` (RESOURCE_EXHAUSTED, AUTH_RATE_LIMITED)
    };
    Kind kind = Kind::kRefused;
    grpc::Status refusal;
    diagnosis::Finding known;
    std::string known_at;  // kKnownRejected: when the server rejected it, UTC text
    // kProceed: what Settle() needs.
    std::string account_digest;
    std::string password_mac;
  };

  AuthGate(std::shared_ptr<state::Store> store, std::shared_ptr<const state::Keyring> keyring,
           state::AuthBudget budget, boost::asio::any_io_executor executor);

  // Asks the store about `target`'s password AUTH at `server` (rpc/account_key.h's
  // ServerIdentity, or what an IP literal is known to belong to; the username must not be
  // empty). `lease`
  // bounds the reservation when this process dies before it settles. `done` runs on the
  // store's executor.
  void Reserve(const probe::SmtpTarget& target, const std::string& server,
               std::chrono::milliseconds lease, std::function<void(Decision)> done);
  // Ends a kProceed reservation with what the run's AUTH did; `done` runs once the store has
  // answered the first attempt, so that the caller's next call already sees the outcome. A
  // failed attempt is retried in the background for a while, so that a rejection is not
  // forgotten while the store is briefly away.
  void Settle(const Decision& decision, const probe::AuthReport& report,
              std::function<void()> done);

 private:
  void SettleAttempt(std::string account, std::string mac, state::Settlement settlement,
                     std::string record, int attempts_left, std::function<void()> done);

  std::shared_ptr<state::Store> store_;
  std::shared_ptr<const state::Keyring> keyring_;
  state::AuthBudget budget_;
  boost::asio::any_io_executor executor_;
};

}  // namespace cv::rpc
