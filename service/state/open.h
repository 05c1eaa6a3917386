#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "state/keyring.h"
#include "state/store.h"

namespace cv::state {

// What the server's --state_store* and --state_key_file flags say.
struct StoreOptions {
  std::string url = "memory";  // memory | redis://HOST:PORT[/DB] | rediss://HOST:PORT[/DB]
  std::string password_file;   // Redis AUTH password
  std::string ca_file;         // rediss://: extra trust anchors
  std::string key_prefix = "cv:";
  std::string key_file;  // HMAC key; required with Redis
  std::chrono::milliseconds timeout{500};
  size_t memory_max_keys = 100000;
  size_t memory_max_claims = 100000;
  // Up/down and per-exchange observations, for metrics, health and the log.
  std::function<void(bool up, const std::string& why)> on_state;
  std::function<void(double seconds, bool ok)> observe;
};

struct OpenedStore {
  std::shared_ptr<Store> store;
  std::shared_ptr<const Keyring> keyring;
  std::string description;  // "memory" or "redis://host:port/db" (no password: there is none)
};

// Builds the store (a Redis one starts connecting in the background) and its keyring. Errors
// name the flag at fault.
absl::StatusOr<OpenedStore> OpenStore(boost::asio::any_io_executor executor,
                                      const StoreOptions& options);

}  // namespace cv::state
