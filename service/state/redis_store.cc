#include "state/redis_store.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "state/redis_scripts.h"

namespace cv::state {
namespace {

using Type = RedisValue::Type;

std::string Sha1Hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha1(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return hex;
}

// {"word", "text"} from a script, or false.
bool Pair(const absl::StatusOr<RedisValue>& reply, std::string* word, std::string* text) {
  if (!reply.ok() || reply->type != Type::kArray || reply->elements.size() != 2) return false;
  *word = reply->elements[0].str;
  *text = reply->elements[1].type == Type::kInteger ? std::to_string(reply->elements[1].integer)
                                                    : reply->elements[1].str;
  return true;
}

}  // namespace

void RedisStore::Eval(const char* script, std::vector<std::string> keys_and_args, size_t keys,
                      RedisClient::Done done) {
  // EVALSHA: the script's 40-character digest instead of its text on every call; a Redis
  // that does not know it yet (a restart, a new replica) answers NOSCRIPT once and gets EVAL.
  static const auto* digests = new std::map<const char*, std::string>{
      {scripts::kReserveAuth, Sha1Hex(scripts::kReserveAuth)},
      {scripts::kSettleAuth, Sha1Hex(scripts::kSettleAuth)},
      {scripts::kConsumeQuotas, Sha1Hex(scripts::kConsumeQuotas)}};
  std::vector<std::string> args = {"EVALSHA", digests->at(script), std::to_string(keys)};
  args.insert(args.end(), keys_and_args.begin(), keys_and_args.end());
  client_->Command(std::move(args),
                   [client = client_, script, keys_and_args = std::move(keys_and_args), keys,
                    done = std::move(done)](absl::StatusOr<RedisValue> reply) mutable {
                     if (reply.ok() && reply->type == RedisValue::Type::kError &&
                         reply->str.starts_with("NOSCRIPT")) {
                       std::vector<std::string> again = {"EVAL", script, std::to_string(keys)};
                       again.insert(again.end(), keys_and_args.begin(), keys_and_args.end());
                       client->Command(std::move(again), std::move(done));
                       return;
                     }
                     if (done) done(std::move(reply));
                   });
}

std::vector<std::string> RedisStore::AccountKeys(const std::string& account,
                                                 const std::string& password_mac) const {
  // One hash tag per account: its keys stay in one slot.
  const std::string base = absl::StrCat(prefix_, "auth:{", account, "}:");
  return {base + "f", base + "r", base + "p:" + password_mac};
}

void RedisStore::ReserveAuth(const std::string& account, const std::string& password_mac,
                             const AuthBudget& budget, Millis lease, Callback<Reservation> done) {
  auto keys = AccountKeys(account, password_mac);
  Eval(scripts::kReserveAuth,
       {keys[0], keys[1], keys[2], std::to_string(budget.max_failures),
        std::to_string(budget.window.count()), std::to_string(lease.count()), password_mac},
       3, [done = std::move(done)](absl::StatusOr<RedisValue> reply) {
         Reservation r;
         std::string word, text;
         int64_t ms = 0;
         if (!Pair(reply, &word, &text)) {
           r.kind = Reservation::Kind::kUnavailable;
         } else if (word == "ok") {
           r.kind = Reservation::Kind::kReserved;
         } else if (word == "known") {
           const auto bar = text.find('|');
           r.kind = Reservation::Kind::kKnownRejected;
           if (bar != std::string::npos) {
             (void)absl::SimpleAtoi(text.substr(0, bar), &r.rejected_at_ms);
             r.rejection = text.substr(bar + 1);
           }
         } else if ((word == "full" || word == "same") && absl::SimpleAtoi(text, &ms)) {
           r.kind = word == "full" ? Reservation::Kind::kExhausted
                                   : Reservation::Kind::kSamePasswordInFlight;
           r.retry_after = Millis(ms);
         } else {
           r.kind = Reservation::Kind::kUnavailable;
         }
         done(std::move(r));
       });
}

void RedisStore::SettleAuth(const std::string& account, const std::string& password_mac,
                            Settlement settlement, const std::string& record,
                            const AuthBudget& budget, Callback<bool> done) {
  auto keys = AccountKeys(account, password_mac);
  const char* outcome = settlement == Settlement::kRejected   ? "rejected"
                        : settlement == Settlement::kAccepted ? "accepted"
                                                              : "released";
  Eval(scripts::kSettleAuth,
       {keys[0], keys[1], keys[2], outcome, std::to_string(budget.max_failures),
        std::to_string(budget.window.count()), password_mac, record},
       3, [done = std::move(done)](absl::StatusOr<RedisValue> reply) {
         if (done) done(reply.ok() && reply->type == Type::kInteger);
       });
}

void RedisStore::ClaimOnce(const std::string& key, Millis ttl, Callback<Claim> done) {
  client_->Command({"SET", absl::StrCat(prefix_, "req:", key), "1", "NX", "PX",
                    std::to_string(std::max<int64_t>(ttl.count(), 1))},
                   [done = std::move(done)](absl::StatusOr<RedisValue> reply) {
                     if (!reply.ok() || reply->type == Type::kError) {
                       done(Claim::kUnavailable);
                     } else {
                       done(reply->type == Type::kNil ? Claim::kDuplicate : Claim::kClaimed);
                     }
                   });
}

void RedisStore::Unclaim(const std::string& key) {
  client_->Command({"DEL", absl::StrCat(prefix_, "req:", key)}, nullptr);
}

void RedisStore::ConsumeQuotas(const std::vector<Quota>& quotas, Millis window,
                               Callback<QuotaResult> done) {
  std::vector<std::string> args;
  for (const auto& q : quotas) args.push_back(absl::StrCat(prefix_, "quota:", q.key));
  uint64_t nonce = 0;
  RAND_bytes(reinterpret_cast<unsigned char*>(&nonce), sizeof nonce);
  args.push_back(std::to_string(window.count()));
  // Unique per event, across replicas: a member of the window's sorted set.
  args.push_back(absl::StrCat(events_.fetch_add(1), ".", nonce));
  for (const auto& q : quotas) args.push_back(std::to_string(q.limit));
  Eval(scripts::kConsumeQuotas, std::move(args), quotas.size(),
       [done = std::move(done)](absl::StatusOr<RedisValue> reply) {
         QuotaResult r;
         if (!reply.ok() || reply->type != Type::kArray || reply->elements.size() != 2 ||
             reply->elements[0].type != Type::kInteger) {
           r.kind = QuotaResult::Kind::kUnavailable;
         } else if (reply->elements[0].integer < 0) {
           r.kind = QuotaResult::Kind::kAllowed;
         } else {
           r.kind = QuotaResult::Kind::kExceeded;
           r.exceeded = static_cast<size_t>(reply->elements[0].integer);
           r.retry_after = Millis(reply->elements[1].integer);
         }
         done(r);
       });
}

}  // namespace cv::state
