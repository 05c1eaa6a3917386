#include "state/redis_client.h"

#include <hiredis/hiredis.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "net/tls.h"

namespace cv::state {
namespace asio = boost::asio;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kMaxBackoff = std::chrono::milliseconds(2000);
constexpr auto kIdlePing = std::chrono::seconds(1);

RedisValue Convert(const redisReply* r) {
  RedisValue v;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      v.type = RedisValue::Type::kString;
      v.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      v.type = RedisValue::Type::kStatus;
      v.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      v.type = RedisValue::Type::kError;
      v.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      v.type = RedisValue::Type::kInteger;
      v.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      v.type = RedisValue::Type::kArray;
      for (size_t i = 0; i < r->elements; ++i) v.elements.push_back(Convert(r->element[i]));
      break;
    default:
      v.type = RedisValue::Type::kNil;
  }
  return v;
}

}  // namespace

absl::StatusOr<RedisAddress> ParseRedisUrl(const std::string& url) {
  RedisAddress a;
  std::string_view rest = url;
  if (rest.starts_with("redis://")) {
    rest.remove_prefix(8);
  } else if (rest.starts_with("rediss://")) {
    rest.remove_prefix(9);
    a.tls = true;
  } else {
    return absl::InvalidArgumentError("must be memory, redis://HOST:PORT[/DB] or rediss://...");
  }
  if (rest.find('@') != std::string_view::npos) {
    return absl::InvalidArgumentError(
        "must not carry a password (it would show in the process list and the ConfigMap); use "
        "--state_store_password_file");
  }
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    std::string_view db = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
    if (!db.empty() && (!absl::SimpleAtoi(Av(db), &a.db) || a.db < 0 || a.db > 1000)) {
      return absl::InvalidArgumentError("the database after / must be a number");
    }
  }
  std::string_view port;
  if (rest.starts_with("[")) {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return absl::InvalidArgumentError("unclosed [");
    a.host = std::string(rest.substr(1, close - 1));
    rest.remove_prefix(close + 1);
    if (rest.starts_with(":")) port = rest.substr(1);
  } else {
    const auto colon = rest.rfind(':');
    a.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) port = rest.substr(colon + 1);
  }
  if (a.host.empty()) return absl::InvalidArgumentError("names no host");
  int p = 6379;
  if (!port.empty() && (!absl::SimpleAtoi(Av(port), &p) || p < 1 || p > 65535)) {
    return absl::InvalidArgumentError("has a bad port");
  }
  a.port = static_cast<uint16_t>(p);
  return a;
}

std::string FormatRedisCommand(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  char* command = nullptr;
  const int length =
      redisFormatCommandArgv(&command, static_cast<int>(args.size()), argv.data(), lengths.data());
  if (length < 0 || command == nullptr) return "";
  std::string out(command, static_cast<size_t>(length));
  redisFreeCommand(command);
  return out;
}

absl::StatusOr<std::shared_ptr<RedisClient>> RedisClient::Create(asio::any_io_executor executor,
                                                                 Options options) {
  std::shared_ptr<asio::ssl::context> tls;
  if (options.address.tls) {
    auto context = net::MakeClientTlsContext(options.ca_file);
    if (!context.ok()) return context.status();
    tls = *context;
  }
  return std::shared_ptr<RedisClient>(
      new RedisClient(asio::make_strand(executor), std::move(options), std::move(tls)));
}

RedisClient::RedisClient(asio::any_io_executor strand, Options options,
                         std::shared_ptr<asio::ssl::context> tls)
    : strand_(std::move(strand)),
      options_(std::move(options)),
      tls_(std::move(tls)),
      wake_(strand_),
      reconnect_(strand_) {}

void RedisClient::Start() {
  asio::post(strand_, [self = shared_from_this()] {
    if (self->state_ != State::kIdle) return;
    self->state_ = State::kConnecting;
    asio::co_spawn(self->strand_, self->Connect(), asio::detached);
  });
}

void RedisClient::Command(std::vector<std::string> args, Done done) {
  std::string bytes = FormatRedisCommand(args);
  asio::post(strand_, [self = shared_from_this(), bytes = std::move(bytes),
                       done = std::move(done)]() mutable {
    // Down (or reconnecting after being down): fail at once rather than make callers wait for
    // a store that just failed; only the very first connection is waited for.
    const bool waitable =
        self->state_ == State::kUp || (self->state_ == State::kConnecting && !self->ever_up_);
    if (!waitable || bytes.empty()) {
      if (done)
        done(absl::UnavailableError(bytes.empty() ? "command could not be encoded"
                                                  : "the state store is unreachable"));
      return;
    }
    self->queue_.push_back(
        {std::move(bytes), std::move(done), net::Clock::now() + self->options_.timeout});
    if (self->state_ == State::kUp) self->wake_.cancel();
  });
}

void RedisClient::FailAll(std::deque<Pending>* pending, const std::string& why) {
  std::deque<Pending> failed;
  failed.swap(*pending);
  for (auto& p : failed) {
    if (p.done) p.done(absl::UnavailableError(absl::StrCat("state store: ", why)));
  }
}

void RedisClient::SetUp(bool up, const std::string& why) {
  up_.store(up);
  // Transitions only, and the very first outcome (a store that never answered is news too).
  const int now = up ? 1 : 0;
  if (reported_ == now) return;
  reported_ = now;
  if (options_.on_state) options_.on_state(up, why);
}

void RedisClient::GoDown(const std::string& why) {
  if (conn_) conn_->Close();
  conn_.reset();
  reader_.reset();
  state_ = State::kDown;
  SetUp(false, why);
  FailAll(&queue_, why);
  ScheduleReconnect();
}

void RedisClient::ScheduleReconnect() {
  reconnect_.expires_after(backoff_);
  backoff_ = std::min(backoff_ * 2, kMaxBackoff);
  reconnect_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->state_ != State::kDown) return;
    self->state_ = State::kConnecting;
    asio::co_spawn(self->strand_, self->Connect(), asio::detached);
  });
}

asio::awaitable<std::string> RedisClient::Exchange(net::Conn& conn, const std::string& bytes,
                                                   size_t count, net::Clock::time_point deadline,
                                                   std::vector<RedisValue>* out) {
  if (auto ec = co_await conn.Write(bytes, deadline)) co_return "write: " + ec.message();
  auto* reader = static_cast<redisReader*>(reader_.get());
  char buffer[16384];
  while (out->size() < count) {
    void* reply = nullptr;
    if (redisReaderGetReply(reader, &reply) != REDIS_OK) co_return "unparseable reply";
    if (reply != nullptr) {
      out->push_back(Convert(static_cast<redisReply*>(reply)));
      freeReplyObject(reply);
      continue;
    }
    auto [ec, n] = co_await conn.ReadSome(asio::buffer(buffer), deadline);
    if (ec) co_return "read: " + ec.message();
    if (redisReaderFeed(reader, buffer, n) != REDIS_OK) co_return "unparseable reply";
  }
  co_return "";
}

asio::awaitable<void> RedisClient::Connect() {
  auto self = shared_from_this();
  const auto started = net::Clock::now();
  const auto deadline = started + options_.connect_timeout;
  std::string why;
  std::vector<tcp::endpoint> endpoints;
  boost::system::error_code address_error;
  const auto literal = asio::ip::make_address(options_.address.host, address_error);
  if (!address_error) {
    endpoints.emplace_back(literal, options_.address.port);
  } else {
    tcp::resolver resolver(strand_);
    asio::steady_timer timer(strand_, deadline);
    auto result =
        co_await (resolver.async_resolve(options_.address.host,
                                         std::to_string(options_.address.port), kUseTuple) ||
                  timer.async_wait(kUseTuple));
    if (result.index() == 1) {
      why = "resolving the host timed out";
    } else if (auto [ec, found] = std::get<0>(result); ec) {
      why = "resolving the host: " + ec.message();
    } else {
      for (const auto& entry : found) endpoints.push_back(entry.endpoint());
    }
  }
  std::shared_ptr<net::Conn> conn;
  for (const auto& endpoint : endpoints) {
    conn = net::Conn::Create(strand_, tls_, std::make_shared<net::CancelScope>());
    if (auto ec = co_await conn->Connect(endpoint, deadline); ec) {
      why = "connect: " + ec.message();
      conn.reset();
      continue;
    }
    why.clear();
    break;
  }
  if (conn && tls_) {
    if (SSL* ssl = conn->native_ssl()) net::PrepareClientSsl(ssl, options_.address.host);
    if (auto ec = co_await conn->Handshake(options_.address.host, deadline); ec) {
      why = "TLS handshake: " + net::DescribeTlsError(ec);
    } else if (auto facts = net::InspectSession(conn->native_ssl()); !facts.verified) {
      why = "TLS: the store's certificate is not valid: " + facts.verify_error;
    }
  }
  if (conn && why.empty()) {
    reader_ = std::shared_ptr<void>(redisReaderCreate(),
                                    [](void* r) { redisReaderFree(static_cast<redisReader*>(r)); });
    std::string hello;
    size_t count = 0;
    if (!options_.password.empty()) {
      hello += FormatRedisCommand({"AUTH", std::string(options_.password.Reveal())});
      ++count;
    }
    if (options_.address.db != 0) {
      hello += FormatRedisCommand({"SELECT", std::to_string(options_.address.db)});
      ++count;
    }
    hello += FormatRedisCommand({"PING"});
    ++count;
    std::vector<RedisValue> replies;
    why = co_await Exchange(*conn, hello, count, deadline, &replies);
    // The AUTH command held the password: wipe the buffer before it is freed.
    volatile char* p = hello.data();
    for (size_t i = 0; i < hello.size(); ++i) p[i] = 0;
    for (const auto& reply : replies) {
      if (why.empty() && reply.type == RedisValue::Type::kError) {
        why = "the store refused the connection: " + reply.str.substr(0, 200);
      }
    }
  }
  if (options_.observe) {
    options_.observe(std::chrono::duration<double>(net::Clock::now() - started).count(),
                     why.empty() && conn != nullptr);
  }
  if (!conn || !why.empty()) {
    if (conn) conn->Close();
    if (why.empty()) why = "no address to connect to";
    GoDown(why);
    co_return;
  }
  conn_ = conn;
  state_ = State::kUp;
  ever_up_ = true;
  backoff_ = std::chrono::milliseconds(100);
  SetUp(true, "connected");
  asio::co_spawn(strand_, Pump(conn), asio::detached);
}

asio::awaitable<void> RedisClient::Pump(std::shared_ptr<net::Conn> conn) {
  auto self = shared_from_this();
  while (state_ == State::kUp && conn == conn_) {
    if (queue_.empty()) {
      wake_.expires_after(kIdlePing);
      auto [ec] = co_await wake_.async_wait(kUseTuple);
      if (state_ != State::kUp || conn != conn_) break;
      if (queue_.empty()) {
        if (ec == asio::error::operation_aborted) continue;
        // Idle for a second: make sure the store is still there, so up() tells the truth.
        queue_.push_back(
            {FormatRedisCommand({"PING"}), nullptr, net::Clock::now() + options_.timeout});
      }
    }
    std::deque<Pending> batch;
    batch.swap(queue_);
    std::string bytes;
    auto deadline = batch.front().deadline;
    for (const auto& p : batch) {
      bytes += p.bytes;
      deadline = std::min(deadline, p.deadline);
    }
    const auto started = net::Clock::now();
    std::vector<RedisValue> replies;
    const std::string why = co_await Exchange(*conn, bytes, batch.size(), deadline, &replies);
    if (options_.observe) {
      options_.observe(std::chrono::duration<double>(net::Clock::now() - started).count(),
                       why.empty());
    }
    if (!why.empty()) {
      FailAll(&batch, why);
      if (conn == conn_) GoDown(why);
      co_return;
    }
    for (size_t i = 0; i < batch.size(); ++i) {
      if (batch[i].done) batch[i].done(std::move(replies[i]));
    }
  }
}

}  // namespace cv::state
