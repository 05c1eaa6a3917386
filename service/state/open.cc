#include "state/open.h"

#include <fstream>
#include <iterator>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "state/memory_store.h"
#include "state/redis_client.h"
#include "state/redis_store.h"

namespace cv::state {

absl::StatusOr<OpenedStore> OpenStore(boost::asio::any_io_executor executor,
                                      const StoreOptions& options) {
  OpenedStore opened;
  if (options.url == "memory") {
    if (options.key_file.empty()) {
      opened.keyring = std::make_shared<Keyring>(Keyring::Random());
    } else {
      auto keyring = Keyring::FromFile(options.key_file);
      if (!keyring.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--state_key_file: ", keyring.status().message()));
      }
      opened.keyring = std::make_shared<Keyring>(std::move(*keyring));
    }
    MemoryStore::Options memory;
    memory.max_keys = options.memory_max_keys;
    memory.max_claims = options.memory_max_claims;
    opened.store = std::make_shared<MemoryStore>(executor, std::move(memory));
    opened.description = "memory";
    if (options.on_state) options.on_state(true, "in-process");
    return opened;
  }
  auto address = ParseRedisUrl(options.url);
  if (!address.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--state_store: ", address.status().message()));
  }
  if (options.key_file.empty()) {
    return absl::InvalidArgumentError(
        "--state_key_file is required with a Redis store: every replica must name accounts and "
        "passwords with the same key");
  }
  auto keyring = Keyring::FromFile(options.key_file);
  if (!keyring.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--state_key_file: ", keyring.status().message()));
  }
  opened.keyring = std::make_shared<Keyring>(std::move(*keyring));
  if (!options.ca_file.empty() && !address->tls) {
    return absl::InvalidArgumentError("--state_store_ca_file needs a rediss:// --state_store");
  }
  RedisClient::Options redis;
  redis.address = *address;
  redis.ca_file = options.ca_file;
  redis.timeout = options.timeout;
  redis.connect_timeout = std::max(options.timeout * 4, std::chrono::milliseconds(1000));
  redis.observe = options.observe;
  redis.on_state = options.on_state;
  if (!options.password_file.empty()) {
    std::ifstream in(options.password_file, std::ios::binary);
    if (!in) {
      return absl::InvalidArgumentError(
          absl::StrCat("--state_store_password_file: cannot read ", options.password_file));
    }
    std::string password((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // A Secret mounted from Kubernetes often ends with a newline the password does not have.
    while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) {
      password.pop_back();
    }
    redis.password = Secret(std::move(password));
  }
  auto client = RedisClient::Create(executor, std::move(redis));
  if (!client.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--state_store_ca_file: ", client.status().message()));
  }
  (*client)->Start();
  opened.store = std::make_shared<RedisStore>(*client, options.key_prefix);
  opened.description = absl::StrCat(address->tls ? "rediss://" : "redis://", address->host, ":",
                                    address->port, "/", address->db);
  return opened;
}

}  // namespace cv::state
