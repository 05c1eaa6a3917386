#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/secret.h"
#include "net/conn.h"

namespace cv::state {

// A Redis reply, copied out of hiredis's reader.
struct RedisValue {
  enum class Type { kString, kArray, kInteger, kNil, kStatus, kError };
  Type type = Type::kNil;
  std::string str;  // kString, kStatus, kError
  long long integer = 0;
  std::vector<RedisValue> elements;
};

// Where the store is: parsed from --state_store=redis://HOST:PORT[/DB] or rediss://...
struct RedisAddress {
  std::string host;
  uint16_t port = 6379;
  int db = 0;
  bool tls = false;
};
absl::StatusOr<RedisAddress> ParseRedisUrl(const std::string& url);

// One pipelined connection to Redis on the service's event loop. Commands are encoded and
// replies parsed by hiredis's protocol code (redisFormatCommandArgv, redisReader); the bytes
// move over net::Conn, the same socket-and-OpenSSL connection the probes use, so TLS
// (rediss://), deadlines and the one event loop come for free and no thread ever blocks.
//
// Commands queued while a batch is on the wire go out together as the next batch: one write,
// then the replies in order. Every batch has a deadline; a batch that fails or times out closes
// the connection and fails every queued command. While the connection is down, commands fail at
// once (the callers fail closed) and a reconnect runs in the background with backoff; an idle
// connection is checked with PING every second, so up() is current.
class RedisClient : public std::enable_shared_from_this<RedisClient> {
 public:
  struct Options {
    RedisAddress address;
    Secret password;                          // empty: no AUTH
    std::string ca_file;                      // rediss://: extra trust anchors
    std::chrono::milliseconds timeout{1000};  // per batch of commands
    std::chrono::milliseconds connect_timeout{2000};
    // Each exchange with Redis (a batch or a connect): seconds and success, for the metrics.
    std::function<void(double seconds, bool ok)> observe;
    // Up/down transitions, for the metrics, health and the log.
    std::function<void(bool up, const std::string& why)> on_state;
  };
  using Done = std::function<void(absl::StatusOr<RedisValue>)>;

  static absl::StatusOr<std::shared_ptr<RedisClient>> Create(boost::asio::any_io_executor executor,
                                                             Options options);
  // Connects in the background; commands sent before the first connection completes wait for
  // it (up to their timeout).
  void Start();
  // Runs `args` (e.g. {"SET", key, "1", "NX", "PX", "600000"}); `done` runs on the client's
  // strand with the reply (a Redis error reply is a value of type kError) or UNAVAILABLE.
  void Command(std::vector<std::string> args, Done done);
  bool up() const { return up_.load(); }

 private:
  struct Pending {
    std::string bytes;
    Done done;
    net::Clock::time_point deadline;
  };
  enum class State { kIdle, kConnecting, kUp, kDown };

  RedisClient(boost::asio::any_io_executor strand, Options options,
              std::shared_ptr<boost::asio::ssl::context> tls);
  boost::asio::awaitable<void> Connect();
  boost::asio::awaitable<void> Pump(std::shared_ptr<net::Conn> conn);
  // Writes `bytes` and reads `count` replies into `out`. An error text on failure, "" on success.
  boost::asio::awaitable<std::string> Exchange(net::Conn& conn, const std::string& bytes,
                                               size_t count, net::Clock::time_point deadline,
                                               std::vector<RedisValue>* out);
  void GoDown(const std::string& why);
  void FailAll(std::deque<Pending>* pending, const std::string& why);
  void ScheduleReconnect();
  void SetUp(bool up, const std::string& why);

  boost::asio::any_io_executor strand_;
  Options options_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  State state_ = State::kIdle;
  std::atomic<bool> up_{false};
  bool ever_up_ = false;
  int reported_ = -1;  // the last state told to on_state: -1 none yet, 0 down, 1 up  // the first
                       // connection is waited for; later reconnects are not
  std::deque<Pending> queue_;
  boost::asio::steady_timer wake_;
  boost::asio::steady_timer reconnect_;
  std::chrono::milliseconds backoff_{100};
  std::shared_ptr<net::Conn> conn_;
  std::shared_ptr<void> reader_;  // hiredis redisReader of the current connection
};

// RESP for one command, as hiredis encodes it.
std::string FormatRedisCommand(const std::vector<std::string>& args);

}  // namespace cv::state
