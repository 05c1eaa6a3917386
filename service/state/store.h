#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

// The state that must hold across replicas: the AUTH budget with its reservations, the keyed
// hashes of rejected passwords, SendTest request-id claims and sliding-window quotas. Two
// implementations: MemoryStore (in-process, the default for one replica) and RedisStore.
//
// Every key a caller passes is already an opaque digest (see state/keyring.h): the store never
// sees a username, a password or a request id. Every operation is atomic on its keys and every
// entry expires, so that nothing grows without bound. Callbacks run on the store's executor,
// never inline inside the call that started the operation.
namespace cv::state {

using Millis = std::chrono::milliseconds;

// The rules of one account's AUTH budget.
struct AuthBudget {
  int max_failures = 3;  // distinct rejected AUTHs plus reservations in flight, at most
  Millis window = std::chrono::minutes(15);
};

struct Reservation {
  enum class Kind {
    kReserved,              // go ahead: one AUTH attempt may be made; settle it afterwards
    kKnownRejected,         // this exact password was rejected within the window: do not send it
    kExhausted,             // failures and reservations fill the budget: try later
    kSamePasswordInFlight,  // another call is trying this exact password right now
    kUnavailable,           // the store could not be asked: fail closed
  };
  Kind kind = Kind::kUnavailable;
  Millis retry_after{0};       // kExhausted, kSamePasswordInFlight
  std::string rejection;       // kKnownRejected: the record stored with the rejection
  int64_t rejected_at_ms = 0;  // kKnownRejected: when (Unix ms)
};

enum class Settlement {
  kRejected,  // the server rejected the credentials: a failure, and the password is remembered
  kReleased,  // AUTH was not sent, or its outcome says nothing about the credentials
  kAccepted,  // the password works: the account's failures are forgotten
};

enum class Claim {
  kClaimed,     // first sighting within the ttl: go ahead
  kDuplicate,   // claimed before within the ttl: refuse
  kFull,        // the in-process store holds its maximum of live claims: refuse, forget none
  kUnavailable  // the store could not be asked: fail closed
};

// One sliding-window quota: at most `limit` events per `window` under `key`.
struct Quota {
  std::string key;
  int limit = 0;
};
struct QuotaResult {
  enum class Kind { kAllowed, kExceeded, kUnavailable };
  Kind kind = Kind::kUnavailable;
  size_t exceeded = 0;    // kExceeded: index of the first quota that is full
  Millis retry_after{0};  // kExceeded: when that quota has room again
};

class Store {
 public:
  template <typename T>
  using Callback = std::function<void(T)>;

  virtual ~Store() = default;

  // Check-and-reserve, atomically: unless `password_mac` is a known rejection or the budget is
  // full, one slot of `account`'s budget is held for this password until it is settled or
  // `lease` passes (a replica that dies mid-call frees its slot that way).
  virtual void ReserveAuth(const std::string& account, const std::string& password_mac,
                           const AuthBudget& budget, Millis lease, Callback<Reservation> done) = 0;
  // Ends a reservation. kRejected stores `record` (what the rejection said, for answering a
  // repeat) under the password's MAC for the window.
  virtual void SettleAuth(const std::string& account, const std::string& password_mac,
                          Settlement settlement, const std::string& record,
                          const AuthBudget& budget, Callback<bool> done) = 0;
  // The first claim of `key` within `ttl` wins; later ones are duplicates.
  virtual void ClaimOnce(const std::string& key, Millis ttl, Callback<Claim> done) = 0;
  // Gives a claim back (the call it was made for was refused before it did anything).
  virtual void Unclaim(const std::string& key) = 0;
  // Counts one event against every quota, or none when one of them is full (atomically).
  virtual void ConsumeQuotas(const std::vector<Quota>& quotas, Millis window,
                             Callback<QuotaResult> done) = 0;

  // Whether the last exchange with the store worked (always true in-process).
  virtual bool up() const = 0;
  // "memory" or "redis".
  virtual const char* kind() const = 0;
};

}  // namespace cv::state
