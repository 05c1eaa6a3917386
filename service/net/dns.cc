#include "net/dns.h"

#include <ares.h>
#include <arpa/nameser.h>
#include <netinet/in.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstring>
#include <exception>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/strings.h"

namespace cv::net {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

// The one process-wide c-ares initialisation. On Linux it does no I/O, so doing it lazily on
// the first Create() is safe.
int InitAresLibrary() {
  static const int status = ares_library_init(ARES_LIB_INIT_ALL);
  return status;
}

// Parses one configured server into c-ares' csv form "a.b.c.d:port" or "[v6]:port".
absl::StatusOr<std::string> ServerToCsv(std::string_view entry) {
  const std::string_view s = Trim(entry);
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("DNS server \"", Av(entry), "\": ", Av(why)));
  };
  if (s.empty()) return bad("empty entry");
  std::string_view host = s;
  std::string_view port_text;
  bool bracketed = false;
  if (s.front() == '[') {
    const size_t close = s.find(']');
    if (close == std::string_view::npos) return bad("missing ']'");
    host = s.substr(1, close - 1);
    const std::string_view rest = s.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return bad("expected ':PORT' after ']'");
      port_text = rest.substr(1);
      if (port_text.empty()) return bad("empty port");
    }
    bracketed = true;
  } else if (std::count(s.begin(), s.end(), ':') == 1) {
    const size_t colon = s.find(':');
    host = s.substr(0, colon);
    port_text = s.substr(colon + 1);
    if (port_text.empty()) return bad("empty port");
  }
  if (host.find('%') != std::string_view::npos) return bad("scope ids are not supported");
  boost::system::error_code ec;
  const asio::ip::address address = asio::ip::make_address(std::string(host), ec);
  if (ec) return bad(absl::StrCat("\"", Av(host), "\" is not an IP address"));
  if (bracketed && !address.is_v6()) return bad("brackets are only for IPv6 addresses");
  uint32_t port = 53;
  if (!port_text.empty()) {
    if (!ParseDecimal(port_text, 5, &port) || port < 1 || port > 65535) {
      return bad(absl::StrCat("port \"", Av(port_text), "\" is not a number in 1..65535"));
    }
  }
  if (address.is_v6()) return absl::StrCat("[", address.to_string(), "]:", port);
  return absl::StrCat(address.to_string(), ":", port);
}

// The servers resolv.conf names, read once here so per-call channels need no file access.
absl::StatusOr<std::string> SystemServersCsv() {
  ares_channel channel = nullptr;
  const int status = ares_init(&channel);
  if (status != ARES_SUCCESS) {
    return absl::InternalError(
        absl::StrCat("c-ares could not read the system resolver: ", ares_strerror(status)));
  }
  ares_addr_port_node* servers = nullptr;
  const int got = ares_get_servers_ports(channel, &servers);
  std::vector<std::string> parts;
  for (ares_addr_port_node* s = servers; got == ARES_SUCCESS && s != nullptr; s = s->next) {
    const int port = s->udp_port != 0 ? s->udp_port : 53;
    if (s->family == AF_INET) {
      asio::ip::address_v4::bytes_type b;
      std::memcpy(b.data(), &s->addr.addr4, b.size());
      parts.push_back(absl::StrCat(asio::ip::address_v4(b).to_string(), ":", port));
    } else if (s->family == AF_INET6) {
      asio::ip::address_v6::bytes_type b;
      std::memcpy(b.data(), &s->addr.addr6, b.size());
      parts.push_back(absl::StrCat("[", asio::ip::address_v6(b).to_string(), "]:", port));
    }
  }
  ares_free_data(servers);
  ares_destroy(channel);
  if (got != ARES_SUCCESS) {
    return absl::InternalError(absl::StrCat("c-ares: ", ares_strerror(got)));
  }
  if (parts.empty()) return absl::FailedPreconditionError("the system names no DNS server");
  return absl::StrJoin(parts, ",");
}

DnsOutcome OutcomeOf(int status) {
  switch (status) {
    case ARES_SUCCESS:
      return DnsOutcome::kOk;
    case ARES_ENOTFOUND:
    case ARES_ENODATA:
    case ARES_ENONAME:
      return DnsOutcome::kNameNotFound;
    case ARES_ETIMEOUT:
      return DnsOutcome::kTimedOut;
    default:
      return DnsOutcome::kFailed;
  }
}

bool SameName(std::string_view a, std::string_view b) {
  if (!a.empty() && a.back() == '.') a.remove_suffix(1);
  if (!b.empty() && b.back() == '.') b.remove_suffix(1);
  return absl::EqualsIgnoreCase(Av(a), Av(b));
}

}  // namespace

// What a lookup waits for. Everything here is touched on the strand of the channel that sends
// the query: the waiting coroutine runs there too, so an answer wakes it without a hop to
// another strand (each hop can wake another loop thread).
struct DnsQuery {
  enum class Kind { kHost, kMx };
  DnsQuery(asio::any_io_executor strand, Clock::time_point deadline, Kind kind, std::string name)
      : kind(kind), name(std::move(name)), wake(strand, deadline) {}
  const Kind kind;
  const std::string name;
  asio::steady_timer wake;  // expires at the caller's deadline; cancelled by the answer
  bool done = false;
  HostLookup host_result;
  MxLookup mx_result;
  bool started = false;    // sent to c-ares
  bool answered = false;   // c-ares called back
  bool abandoned = false;  // the lookup stopped waiting first

  // The same failure for either kind of lookup, so callers need not care which one this is.
  void Fail(DnsOutcome outcome, const std::string& error) {
    host_result = HostLookup{outcome, {}, {}, error};
    mx_result = MxLookup{outcome, {}, error};
  }
};

namespace {
using Query = DnsQuery;

HostLookup HostResult(const std::string& name, int status, const ares_addrinfo* result) {
  HostLookup out;
  out.outcome = OutcomeOf(status);
  if (status != ARES_SUCCESS || result == nullptr) {
    if (out.outcome == DnsOutcome::kOk) out.outcome = DnsOutcome::kFailed;
    out.error = ares_strerror(status);
    return out;
  }
  for (const ares_addrinfo_node* n = result->nodes; n != nullptr; n = n->ai_next) {
    if (n->ai_family == AF_INET && n->ai_addr != nullptr) {
      const auto* sin = reinterpret_cast<const sockaddr_in*>(n->ai_addr);
      asio::ip::address_v4::bytes_type b;
      std::memcpy(b.data(), &sin->sin_addr, b.size());
      out.addresses.emplace_back(asio::ip::address_v4(b));
    } else if (n->ai_family == AF_INET6 && n->ai_addr != nullptr) {
      const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(n->ai_addr);
      asio::ip::address_v6::bytes_type b;
      std::memcpy(b.data(), &sin6->sin6_addr, b.size());
      out.addresses.emplace_back(asio::ip::address_v6(b, sin6->sin6_scope_id));
    }
  }
  // c-ares 1.18 appends the CNAMEs of the A and of the AAAA answer, so the list may hold each
  // link twice and in either order: walk it from the queried name instead.
  std::string current = name;
  for (int hop = 0; hop < 16; ++hop) {
    const ares_addrinfo_cname* link = result->cnames;
    while (link != nullptr &&
           (link->alias == nullptr || link->name == nullptr || !SameName(link->alias, current))) {
      link = link->next;
    }
    if (link == nullptr) break;
    current = link->name;
    out.cname_chain.push_back(current);
  }
  if (out.addresses.empty()) {
    out.outcome = DnsOutcome::kNameNotFound;
    out.error = ares_strerror(ARES_ENODATA);
  }
  return out;
}

MxLookup MxResult(int status, unsigned char* answer, int length) {
  MxLookup out;
  if (status == ARES_SUCCESS) {
    ares_mx_reply* replies = nullptr;
    status = ares_parse_mx_reply(answer, length, &replies);
    for (const ares_mx_reply* r = replies; status == ARES_SUCCESS && r != nullptr; r = r->next) {
      out.records.push_back({r->host != nullptr ? r->host : "", r->priority});
    }
    if (replies != nullptr) ares_free_data(replies);
    if (status == ARES_SUCCESS && out.records.empty()) status = ARES_ENODATA;
  }
  out.outcome = OutcomeOf(status);
  if (status != ARES_SUCCESS) {
    out.records.clear();
    out.error = ares_strerror(status);
  }
  std::stable_sort(
      out.records.begin(), out.records.end(),
      [](const MxRecord& a, const MxRecord& b) { return a.preference < b.preference; });
  return out;
}

// Hands an answer to the waiting lookup (on the channel's strand); a lookup that already gave up
// (deadline, cancellation) ignores it.
void Deliver(const std::shared_ptr<Query>& query, HostLookup host, MxLookup mx) {
  if (query->done) return;
  query->done = true;
  query->host_result = std::move(host);
  query->mx_result = std::move(mx);
  query->wake.cancel();
}

// One c-ares channel that many lookups share, with the Asio objects that drive it, all on the
// channel's own strand (c-ares is not thread-safe). A channel per lookup cost an ares_init (which
// reads /dev/urandom), a UDP socket and 70 KiB of c-ares tables each time: at 10,000 lookups in
// flight that was 1.4 GB and more descriptors than a process may have. c-ares closes the socket
// when no query is left, so an idle channel holds no descriptor.
class AresChannel : public std::enable_shared_from_this<AresChannel> {
 public:
  AresChannel(asio::any_io_executor strand, std::chrono::milliseconds attempt_timeout, int tries,
              std::string servers_csv)
      : strand_(strand),
        process_timer_(strand),
        attempt_timeout_(attempt_timeout),
        tries_(tries),
        servers_csv_(std::move(servers_csv)) {}
  ~AresChannel() { Shutdown(); }
  AresChannel(const AresChannel&) = delete;
  AresChannel& operator=(const AresChannel&) = delete;

  int Init() {
    ares_options o{};
    // Setting servers, domains, lookups, sortlist and ndots keeps ares_init_options from reading
    // resolv.conf and friends. No search domains: callers pass full names.
    int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB |
               ARES_OPT_SERVERS | ARES_OPT_DOMAINS | ARES_OPT_LOOKUPS | ARES_OPT_SORTLIST |
               ARES_OPT_NDOTS;
    o.flags = ARES_FLAG_NOALIASES | ARES_FLAG_NOSEARCH;
    o.timeout = static_cast<int>(std::max<int64_t>(1, attempt_timeout_.count()));
    o.tries = std::max(1, tries_);
    o.ndots = 1;
    o.sock_state_cb = &AresChannel::OnSockState;
    o.sock_state_cb_data = this;
    // DNS only: /etc/hosts is a blocking file read and would answer for names like localhost.
    char lookups[] = "b";
    o.lookups = lookups;
    int status = ares_init_options(&channel_, &o, mask);
    if (status != ARES_SUCCESS) {
      channel_ = nullptr;
      return status;
    }
    return ares_set_servers_ports_csv(channel_, servers_csv_.c_str());
  }

  const asio::any_io_executor& strand() const { return strand_; }

  // Queries handed to this channel and not called back yet; counted by the service (which picks
  // channels under its lock) and here, on the strand, when c-ares calls back.
  std::atomic<int> in_flight{0};
  uint64_t picked = 0;  // guarded by the service's lock

  // On the strand: sends the query; the answer goes to Deliver().
  void Start(std::shared_ptr<Query> query) {
    if (closed_ || channel_ == nullptr) {
      --in_flight;
      const std::string error = "DNS resolver shut down";
      Deliver(query, HostLookup{DnsOutcome::kFailed, {}, {}, error},
              MxLookup{DnsOutcome::kFailed, {}, error});
      return;
    }
    ++live_;
    query->started = true;
    auto* pending = new Pending{std::move(query), shared_from_this()};
    if (pending->query->kind == Query::Kind::kHost) {
      ares_addrinfo_hints hints{};
      hints.ai_family = AF_UNSPEC;
      // NOSORT: sorting connect()s UDP sockets to rank the addresses; we only want them listed.
      hints.ai_flags = ARES_AI_NOSORT | ARES_AI_CANONNAME;
      ares_getaddrinfo(channel_, pending->query->name.c_str(), nullptr, &hints, &OnAddrInfo,
                       pending);
    } else {
      ares_query(channel_, pending->query->name.c_str(), ns_c_in, ns_t_mx, &OnMx, pending);
    }
    RearmTimer();
  }

  // On the strand: the lookup gave up on `query` (deadline or cancellation). c-ares 1.18 cannot
  // cancel one query, so once every query in flight is abandoned they are all cancelled: no
  // retries keep going to a server nobody waits for.
  void Abandon(const std::shared_ptr<Query>& query) {
    if (!query->started || query->answered || query->abandoned) return;
    query->abandoned = true;
    if (--live_ == 0 && channel_ != nullptr && !closed_) {
      ares_cancel(channel_);
      RearmTimer();
    }
  }

  // Stops watching, then lets c-ares close its sockets and fail what is pending (the callbacks
  // see closed_ and deliver nothing). release() deregisters each descriptor from the reactor
  // synchronously (pending waits complete later with operation_aborted and see `released`), so
  // c-ares may close and even reuse the fd number right away.
  void Shutdown() {
    if (closed_) return;
    closed_ = true;
    process_timer_.cancel();
    for (auto& [fd, watch] : watches_) {
      watch->released = true;
      watch->descriptor.release();
    }
    watches_.clear();
    if (channel_ != nullptr) {
      ares_destroy(channel_);
      channel_ = nullptr;
    }
  }

 private:
  // The argument of a c-ares callback: the query, and the channel kept alive until it answers.
  struct Pending {
    std::shared_ptr<Query> query;
    std::shared_ptr<AresChannel> channel;
  };

  struct Watch {
    Watch(asio::any_io_executor ex, int fd) : descriptor(ex), fd(fd) {}
    asio::posix::stream_descriptor descriptor;
    int fd;
    bool want_read = false;
    bool want_write = false;
    bool read_pending = false;
    bool write_pending = false;
    bool released = false;
  };

  static void OnAddrInfo(void* arg, int status, int /*timeouts*/, ares_addrinfo* result) {
    std::unique_ptr<Pending> pending(static_cast<Pending*>(arg));
    struct Free {
      void operator()(ares_addrinfo* p) const { ares_freeaddrinfo(p); }
    };
    std::unique_ptr<ares_addrinfo, Free> owned(result);
    if (!pending->channel->Answered(*pending->query)) return;
    Deliver(pending->query, HostResult(pending->query->name, status, result), {});
  }

  static void OnMx(void* arg, int status, int /*timeouts*/, unsigned char* answer, int length) {
    std::unique_ptr<Pending> pending(static_cast<Pending*>(arg));
    if (!pending->channel->Answered(*pending->query)) return;
    Deliver(pending->query, {}, MxResult(status, answer, length));
  }

  // Books a c-ares callback; false when nobody waits for its result (abandoned, shut down).
  bool Answered(Query& query) {
    --in_flight;
    query.answered = true;
    if (query.abandoned) return false;
    --live_;
    return !closed_;
  }

  static void OnSockState(void* data, ares_socket_t fd, int readable, int writable) {
    static_cast<AresChannel*>(data)->SockState(fd, readable != 0, writable != 0);
  }

  std::vector<std::pair<int, std::shared_ptr<Watch>>>::iterator FindWatch(int fd) {
    return std::find_if(watches_.begin(), watches_.end(),
                        [fd](const auto& entry) { return entry.first == fd; });
  }

  void SockState(int fd, bool readable, bool writable) {
    if (closed_) return;  // ares_destroy closing sockets: already released
    auto it = FindWatch(fd);
    if (!readable && !writable) {
      if (it != watches_.end()) {
        it->second->released = true;
        it->second->descriptor.release();
        watches_.erase(it);
      }
      return;
    }
    if (it == watches_.end()) {
      auto watch = std::make_shared<Watch>(strand_, fd);
      boost::system::error_code ec;
      watch->descriptor.assign(fd, ec);
      // If the reactor refuses the fd, c-ares' own timeout still ends the query.
      if (ec) return;
      it = watches_.insert(watches_.end(), {fd, std::move(watch)});
    }
    const std::shared_ptr<Watch>& watch = it->second;
    watch->want_read = readable;
    watch->want_write = writable;
    if (readable) ArmRead(watch);
    if (writable) ArmWrite(watch);
  }

  void ArmRead(const std::shared_ptr<Watch>& watch) {
    if (watch->read_pending || watch->released) return;
    watch->read_pending = true;
    watch->descriptor.async_wait(
        asio::posix::stream_descriptor::wait_read,
        [self = shared_from_this(), watch](const boost::system::error_code& ec) {
          watch->read_pending = false;
          if (watch->released || self->closed_ || ec == asio::error::operation_aborted) return;
          self->Process(watch->fd, ARES_SOCKET_BAD);
          // On an unexpected error, stop watching rather than spin; the timer ends the query.
          if (!ec && watch->want_read) self->ArmRead(watch);
        });
  }

  void ArmWrite(const std::shared_ptr<Watch>& watch) {
    if (watch->write_pending || watch->released) return;
    watch->write_pending = true;
    watch->descriptor.async_wait(
        asio::posix::stream_descriptor::wait_write,
        [self = shared_from_this(), watch](const boost::system::error_code& ec) {
          watch->write_pending = false;
          if (watch->released || self->closed_ || ec == asio::error::operation_aborted) return;
          if (!watch->want_write) return;
          self->Process(ARES_SOCKET_BAD, watch->fd);
          if (!ec && watch->want_write) self->ArmWrite(watch);
        });
  }

  void Process(ares_socket_t read_fd, ares_socket_t write_fd) {
    if (closed_ || channel_ == nullptr) return;
    ares_process_fd(channel_, read_fd, write_fd);
    RearmTimer();
  }

  // c-ares' retry and attempt timeouts; no timer while no query is pending.
  void RearmTimer() {
    if (closed_ || channel_ == nullptr) {
      process_timer_.cancel();
      return;
    }
    timeval buffer{};
    const timeval* next = ares_timeout(channel_, nullptr, &buffer);
    if (next == nullptr) {
      process_timer_.cancel();
      return;
    }
    process_timer_.expires_after(std::chrono::seconds(next->tv_sec) +
                                 std::chrono::microseconds(next->tv_usec));
    process_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec || self->closed_) return;
      self->Process(ARES_SOCKET_BAD, ARES_SOCKET_BAD);
    });
  }

  asio::any_io_executor strand_;
  ares_channel channel_ = nullptr;
  asio::steady_timer process_timer_;
  std::vector<std::pair<int, std::shared_ptr<Watch>>> watches_;  // one or two fds per server
  const std::chrono::milliseconds attempt_timeout_;
  const int tries_;
  const std::string servers_csv_;
  size_t live_ = 0;  // queries sent, neither answered nor abandoned
  bool closed_ = false;
};

// The channels of one io_context, per resolver configuration: an Asio service, so they go away
// with the io_context (a resolver may outlive it and be used with the next one). Lookups take
// turns over the channels; a channel with kInFlightPerChannel queries pending takes no more and
// another one is opened, because its one socket's receive buffer (208 KiB by default, about 160
// small datagrams) must hold every answer that arrives before the loop reads it: a burst of
// 10,000 verifications would otherwise lose answers and wait for retries. Channels beyond
// kChannels close once idle. Each channel retires after kQueriesPerChannel queries, so that a
// busy channel's UDP source port (entropy an off-path spoofer must guess) does not stay for long.
class AresService : public asio::execution_context::service {
 public:
  static inline asio::execution_context::id id;
  static constexpr size_t kChannels = 4;
  static constexpr int kInFlightPerChannel = 64;
  static constexpr uint64_t kQueriesPerChannel = 1000;

  // The lookup's deadline timer exists before this service is first used, so the reactor and
  // the timer service were registered first and are shut down after this one.
  explicit AresService(asio::execution_context& context) : service(context) {}

  // A channel for this configuration with one query booked on it (in_flight), or nullptr with
  // the c-ares status that prevented one.
  std::shared_ptr<AresChannel> Pick(const DnsResolver::Options& options,
                                    const std::string& servers_csv, const std::string& key,
                                    const asio::any_io_executor& caller, int* status) {
    std::lock_guard lock(mu_);
    if (shut_down_) {
      *status = ARES_EDESTRUCTION;
      return nullptr;
    }
    Pool& pool = pools_[key];
    // Retired channels leave the pool; they live on while queries they sent are pending.
    std::erase_if(pool.channels, [](const std::shared_ptr<AresChannel>& c) {
      return c->picked >= kQueriesPerChannel;
    });
    while (pool.channels.size() > kChannels && pool.channels.back()->in_flight == 0) {
      pool.channels.pop_back();
    }
    *status = ARES_SUCCESS;
    const size_t n = pool.channels.size();
    for (size_t i = 0; i < n; ++i) {
      const size_t index = (pool.next + i) % n;
      const std::shared_ptr<AresChannel>& channel = pool.channels[index];
      if (channel->in_flight < kInFlightPerChannel) {
        pool.next = index + 1;
        return Book(channel);
      }
    }
    auto channel =
        std::make_shared<AresChannel>(asio::make_strand(LoopExecutor(caller)),
                                      options.attempt_timeout, options.tries, servers_csv);
    *status = channel->Init();
    if (*status != ARES_SUCCESS) return nullptr;
    pool.channels.push_back(channel);
    return Book(channel);
  }

 private:
  struct Pool {
    std::vector<std::shared_ptr<AresChannel>> channels;
    size_t next = 0;
  };

  static std::shared_ptr<AresChannel> Book(const std::shared_ptr<AresChannel>& channel) {
    ++channel->picked;
    ++channel->in_flight;
    return channel;
  }

  void shutdown() override {
    std::lock_guard lock(mu_);
    shut_down_ = true;
    for (auto& [key, pool] : pools_) {
      for (auto& channel : pool.channels) channel->Shutdown();
    }
    pools_.clear();
  }

  // The io_context's own executor under the caller's strand: a channel's strand must not sit on
  // top of the strand of whichever request happened to create it.
  static asio::any_io_executor LoopExecutor(const asio::any_io_executor& caller) {
    using Loop = asio::io_context::executor_type;
    if (const auto* strand = caller.target<asio::strand<Loop>>()) {
      return strand->get_inner_executor();
    }
    if (const auto* loop = caller.target<Loop>()) return *loop;
    return caller;
  }

  std::mutex mu_;
  bool shut_down_ = false;
  std::unordered_map<std::string, Pool> pools_;
};

// Runs on the channel's strand until the answer, the deadline or the caller's cancellation. It
// takes nothing but shared_ptrs: GCC 12 has mis-destroyed closure parameters of coroutines.
asio::awaitable<void> Drive(std::shared_ptr<Query> query, std::shared_ptr<AresChannel> channel) {
  // Our only co_await reports cancellation as a value; never throw it.
  co_await asio::this_coro::throw_if_cancelled(false);
  if (query->wake.expiry() > Clock::now()) {
    channel->Start(query);  // may answer at once (a malformed name, a channel shut down)
  } else {
    --channel->in_flight;  // booked, never sent
  }
  if (query->done) co_return;
  auto [ec] = co_await query->wake.async_wait(asio::as_tuple(asio::use_awaitable));
  if (query->done) co_return;
  // The deadline or the caller ended it first; an answer that still comes finds it done.
  channel->Abandon(query);
  query->done = true;
  const std::string error = ec ? "lookup cancelled" : "no answer before the deadline";
  query->Fail(DnsOutcome::kTimedOut, error);
}

}  // namespace

asio::awaitable<std::shared_ptr<DnsQuery>> DnsResolver::Lookup(bool mx, std::string name,
                                                               Clock::time_point deadline) {
  auto caller = co_await asio::this_coro::executor;
  auto& service = asio::use_service<AresService>(asio::query(caller, asio::execution::context));
  int status = ARES_SUCCESS;
  auto channel = service.Pick(options_, servers_csv_, key_, caller, &status);
  auto query =
      std::make_shared<DnsQuery>(channel ? channel->strand() : caller, deadline,
                                 mx ? DnsQuery::Kind::kMx : DnsQuery::Kind::kHost, std::move(name));
  if (channel == nullptr) {
    query->Fail(DnsOutcome::kFailed, absl::StrCat("c-ares setup failed: ", ares_strerror(status)));
    co_return query;
  }
  auto strand = channel->strand();
  auto [error] = co_await asio::co_spawn(strand, Drive(query, std::move(channel)),
                                         asio::as_tuple(asio::use_awaitable));
  if (error) {
    query->Fail(DnsOutcome::kFailed, "internal error in DNS lookup");
  }
  co_return query;
}

DnsResolver::DnsResolver(Options options) : options_(std::move(options)) {}

absl::StatusOr<std::shared_ptr<DnsResolver>> DnsResolver::Create(Options options) {
  const int init = InitAresLibrary();
  if (init != ARES_SUCCESS) {
    return absl::InternalError(absl::StrCat("ares_library_init: ", ares_strerror(init)));
  }
  if (options.attempt_timeout.count() <= 0) {
    return absl::InvalidArgumentError("DNS attempt timeout must be positive");
  }
  if (options.tries < 1) return absl::InvalidArgumentError("DNS tries must be at least 1");
  std::vector<std::string> parts;
  for (const std::string& entry : options.servers) {
    absl::StatusOr<std::string> csv = ServerToCsv(entry);
    if (!csv.ok()) return csv.status();
    parts.push_back(*std::move(csv));
  }
  std::string servers_csv;
  if (parts.empty()) {
    absl::StatusOr<std::string> system = SystemServersCsv();
    if (!system.ok()) return system.status();
    servers_csv = *std::move(system);
  } else {
    servers_csv = absl::StrJoin(parts, ",");
  }
  std::shared_ptr<DnsResolver> resolver(new DnsResolver(std::move(options)));
  resolver->key_ = absl::StrCat(servers_csv, "|", resolver->options_.attempt_timeout.count(), "|",
                                resolver->options_.tries);
  resolver->servers_csv_ = std::move(servers_csv);
  return resolver;
}

asio::awaitable<HostLookup> DnsResolver::ResolveHost(std::string host, Clock::time_point deadline) {
  boost::system::error_code ec;
  const asio::ip::address literal = asio::ip::make_address(host, ec);
  if (!ec) co_return HostLookup{DnsOutcome::kOk, {literal}, {}, ""};
  // c-ares takes C strings: a NUL would silently cut the name short.
  if (host.empty() || host.find('\0') != std::string::npos) {
    co_return HostLookup{DnsOutcome::kFailed, {}, {}, "empty or malformed host name"};
  }
  auto query = co_await Lookup(false, std::move(host), deadline);
  co_return std::move(query->host_result);
}

asio::awaitable<MxLookup> DnsResolver::ResolveMx(std::string domain, Clock::time_point deadline) {
  if (domain.empty() || domain.find('\0') != std::string::npos) {
    co_return MxLookup{DnsOutcome::kFailed, {}, "empty or malformed domain"};
  }
  auto query = co_await Lookup(true, std::move(domain), deadline);
  co_return std::move(query->mx_result);
}

}  // namespace cv::net
