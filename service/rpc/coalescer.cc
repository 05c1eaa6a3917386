#include "rpc/coalescer.h"

#include <openssl/evp.h>

#include "absl/strings/escaping.h"

namespace cv::rpc {

struct Run {
  std::vector<Coalescer::Done> waiters;
  Coalescer::Cancel cancel;
  size_t active = 0;
};

std::string Coalescer::Key(const probe::SmtpTarget& target, Lang lang) {
  // A digest, so the key held in memory is not the password itself.
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  auto add = [ctx](std::string_view part) {
    const uint64_t size = part.size();
    EVP_DigestUpdate(ctx, &size, sizeof size);  // length-prefixed: no ambiguous joins
    EVP_DigestUpdate(ctx, part.data(), part.size());
  };
  add("smtp");
  add(target.host);
  add(std::to_string(target.port));
  add(std::to_string(target.tls_mode));
  add(target.username);
  add(target.password.Reveal());
  add(target.from_address);
  add(lang == Lang::kDe ? "de" : "en");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx, digest, &length);
  EVP_MD_CTX_free(ctx);
  return std::string(reinterpret_cast<char*>(digest), length);
}

std::shared_ptr<Coalescer::Ticket> Coalescer::Join(const std::string& key, Done done,
                                                   const Start& start, bool* joined) {
  std::lock_guard lock(mu_);
  auto it = runs_.find(key);
  if (it != runs_.end()) {
    it->second->waiters.push_back(std::move(done));
    ++it->second->active;
    if (joined != nullptr) *joined = true;
    return std::shared_ptr<Ticket>(new Ticket(this, it->second));
  }
  if (joined != nullptr) *joined = false;
  auto run = std::make_shared<Run>();
  run->waiters.push_back(std::move(done));
  run->active = 1;
  runs_.emplace(key, run);
  // Held across start(): it only posts the work (its `done` never runs inline).
  run->cancel =
      start([this, key, run](Outcome outcome) { Complete(key, run, std::move(outcome)); });
  return std::shared_ptr<Ticket>(new Ticket(this, run));
}

void Coalescer::Complete(const std::string& key, const std::shared_ptr<Run>& run, Outcome outcome) {
  std::vector<Done> waiters;
  {
    std::lock_guard lock(mu_);
    auto it = runs_.find(key);
    if (it != runs_.end() && it->second == run) runs_.erase(it);
    waiters.swap(run->waiters);
  }
  for (size_t i = 0; i < waiters.size(); ++i) {
    if (i + 1 == waiters.size()) {
      waiters[i](std::move(outcome));
    } else {
      waiters[i](outcome);
    }
  }
}

void Coalescer::Leave(const std::shared_ptr<Run>& run) {
  Cancel cancel;
  {
    std::lock_guard lock(mu_);
    if (run->active == 0 || --run->active > 0) return;
    cancel = run->cancel;
  }
  if (cancel) cancel();
}

void Coalescer::Ticket::Cancel() {
  if (cancelled_) return;
  cancelled_ = true;
  owner_->Leave(run_);
}

size_t Coalescer::runs() const {
  std::lock_guard lock(mu_);
  return runs_.size();
}

}  // namespace cv::rpc
