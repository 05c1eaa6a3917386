#pragma once

#include <grpcpp/support/status.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "channelverify/v1/channel_verifier.pb.h"
#include "verify/verifier.h"

namespace cv::rpc {

// Identical verifications in flight at the same time share one run: a second caller with the
// same channel (password included) and language waits for the first one's answer instead of
// opening another connection and making another AUTH attempt. Thread-safe.
class Coalescer {
 public:
  using Response = channelverify::v1::VerifyChannelResponse;
  // A run ends with an answer, or with an RPC error for every caller (e.g. AUTH_RATE_LIMITED,
  // which the budget may say only after callers joined).
  struct Outcome {
    grpc::Status status;
    Response response;
  };
  using Done = std::function<void(Outcome)>;
  using Cancel = std::function<void()>;
  // Starts the shared run and returns how to cancel it. Its `done` must be called exactly
  // once, never inline (Join holds its lock while it calls start).
  using Start = std::function<Cancel(Done done)>;

  // One caller's place in a run. Cancel() leaves it; the run is cancelled when every caller
  // has left. The caller's `done` is still called (gRPC wants Finish on cancelled calls too).
  class Ticket {
   public:
    void Cancel();

   private:
    friend class Coalescer;
    Ticket(Coalescer* owner, std::shared_ptr<struct Run> run)
        : owner_(owner), run_(std::move(run)) {}
    Coalescer* owner_;
    std::shared_ptr<struct Run> run_;
    bool cancelled_ = false;
  };

  // The key of a request: a digest of everything that decides its outcome.
  static std::string Key(const probe::SmtpTarget& target, Lang lang);

  // Joins the run for `key`, or starts one with `start`. `joined` tells which happened.
  std::shared_ptr<Ticket> Join(const std::string& key, Done done, const Start& start,
                               bool* joined = nullptr);
  size_t runs() const;

 private:
  void Complete(const std::string& key, const std::shared_ptr<struct Run>& run, Outcome outcome);
  void Leave(const std::shared_ptr<struct Run>& run);

  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<struct Run>> runs_;
};

}  // namespace cv::rpc
