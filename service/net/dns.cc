#include "net/dns.h"

#include <ares.h>
#include <arpa/nameser.h>
#include <netinet/in.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstring>
#include <exception>
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

// One lookup: its own c-ares channel plus the Asio objects that drive it. All of it lives on one
// strand, so c-ares is never entered from two threads even when the io_context has several. The
// async handlers hold a shared_ptr to it: it (and the channel) outlives every wait it started.
class AresLookup : public std::enable_shared_from_this<AresLookup> {
 public:
  enum class WaitEnd { kDone, kDeadline, kCancelled };

  enum class Kind { kHost, kMx };

  AresLookup(asio::any_io_executor strand, Clock::time_point deadline, Kind kind, std::string name,
             std::chrono::milliseconds attempt_timeout, int tries, std::string servers_csv)
      : kind(kind),
        name(std::move(name)),
        strand_(strand),
        process_timer_(strand),
        wake_(strand, deadline),
        attempt_timeout_(attempt_timeout),
        tries_(tries),
        servers_csv_(std::move(servers_csv)) {}
  ~AresLookup() { Shutdown(); }
  AresLookup(const AresLookup&) = delete;
  AresLookup& operator=(const AresLookup&) = delete;

  int Init() {
    ares_options o{};
    // Setting servers, domains, lookups, sortlist and ndots keeps ares_init_options from reading
    // resolv.conf and friends on every call. No search domains: callers pass full names.
    int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB |
               ARES_OPT_SERVERS | ARES_OPT_DOMAINS | ARES_OPT_LOOKUPS | ARES_OPT_SORTLIST |
               ARES_OPT_NDOTS;
    o.flags = ARES_FLAG_NOALIASES | ARES_FLAG_NOSEARCH;
    o.timeout = static_cast<int>(std::max<int64_t>(1, attempt_timeout_.count()));
    o.tries = std::max(1, tries_);
    o.ndots = 1;
    o.sock_state_cb = &AresLookup::OnSockState;
    o.sock_state_cb_data = this;
    // DNS only: /etc/hosts is a blocking file read and would answer for names like localhost.
    char lookups[] = "b";
    o.lookups = lookups;
    int status = ares_init_options(&channel_, &o, mask);
    if (status != ARES_SUCCESS) {
      channel_ = nullptr;
      return status;
    }
    status = ares_set_servers_ports_csv(channel_, servers_csv_.c_str());
    return status;
  }

  ares_channel channel() const { return channel_; }
  const asio::any_io_executor& executor() const { return strand_; }
  bool done() const { return done_; }
  bool closed() const { return closed_; }

  // Called from the c-ares completion callback.
  void MarkDone() {
    done_ = true;
    wake_.cancel();
  }

  // c-ares may have opened sockets and has queries pending: make sure its timeouts are served.
  void Started() { RearmTimer(); }

  asio::awaitable<WaitEnd> Wait() {
    if (done_) co_return WaitEnd::kDone;
    auto [ec] = co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (done_) co_return WaitEnd::kDone;
    co_return ec ? WaitEnd::kCancelled : WaitEnd::kDeadline;
  }

  // Fails every pending query (ECANCELLED) so c-ares stops sending.
  void Cancel() {
    if (channel_ != nullptr && !closed_) ares_cancel(channel_);
  }

  // Stops watching, then lets c-ares close its sockets. release() deregisters each descriptor
  // from the reactor synchronously (pending waits complete later with operation_aborted and see
  // `released`), so c-ares may close and even reuse the fd number right away.
  void Shutdown() {
    if (closed_) return;
    closed_ = true;
    process_timer_.cancel();
    wake_.cancel();
    for (auto& [fd, watch] : watches_) {
      watch->released = true;
      watch->descriptor.release();
    }
    watches_.clear();
    if (channel_ != nullptr) {
      ares_destroy(channel_);  // completion callbacks see closed_ and do nothing
      channel_ = nullptr;
    }
  }

  const Kind kind;
  const std::string name;
  HostLookup host_result;
  MxLookup mx_result;

 private:
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

  static void OnSockState(void* data, ares_socket_t fd, int readable, int writable) {
    static_cast<AresLookup*>(data)->SockState(fd, readable != 0, writable != 0);
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

  void RearmTimer() {
    if (closed_ || channel_ == nullptr || done_) {
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
  asio::steady_timer process_timer_;  // c-ares' retry/attempt timeouts
  asio::steady_timer wake_;           // expires at the caller's deadline; cancelled when done
  std::vector<std::pair<int, std::shared_ptr<Watch>>> watches_;  // a lookup uses one or two fds
  const std::chrono::milliseconds attempt_timeout_;
  const int tries_;
  const std::string servers_csv_;
  bool done_ = false;
  bool closed_ = false;
};

void OnAddrInfo(void* arg, int status, int /*timeouts*/, ares_addrinfo* result) {
  auto* lookup = static_cast<AresLookup*>(arg);
  struct Free {
    void operator()(ares_addrinfo* p) const { ares_freeaddrinfo(p); }
  };
  std::unique_ptr<ares_addrinfo, Free> owned(result);
  if (lookup->done() || lookup->closed()) return;
  HostLookup& out = lookup->host_result;
  out.outcome = OutcomeOf(status);
  if (status != ARES_SUCCESS || result == nullptr) {
    if (out.outcome == DnsOutcome::kOk) out.outcome = DnsOutcome::kFailed;
    out.error = ares_strerror(status);
    lookup->MarkDone();
    return;
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
  std::string current = lookup->name;
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
  lookup->MarkDone();
}

void OnMx(void* arg, int status, int /*timeouts*/, unsigned char* answer, int length) {
  auto* lookup = static_cast<AresLookup*>(arg);
  if (lookup->done() || lookup->closed()) return;
  MxLookup& out = lookup->mx_result;
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
  lookup->MarkDone();
}

// Runs on the lookup's strand and leaves the outcome in lookup->host_result / mx_result. It
// takes nothing but the shared_ptr: GCC 12 has mis-destroyed closure parameters of coroutines.
asio::awaitable<void> Drive(std::shared_ptr<AresLookup> lookup) {
  // Our only co_await reports cancellation as a value; never throw it.
  co_await asio::this_coro::throw_if_cancelled(false);
  auto fail = [&](DnsOutcome outcome, std::string error) {
    if (lookup->kind == AresLookup::Kind::kHost) {
      lookup->host_result = HostLookup{outcome, {}, {}, std::move(error)};
    } else {
      lookup->mx_result = MxLookup{outcome, {}, std::move(error)};
    }
  };
  const int init = lookup->Init();
  if (init != ARES_SUCCESS) {
    fail(DnsOutcome::kFailed, absl::StrCat("c-ares setup failed: ", ares_strerror(init)));
    lookup->Shutdown();
    co_return;
  }
  if (lookup->kind == AresLookup::Kind::kHost) {
    ares_addrinfo_hints hints{};
    hints.ai_family = AF_UNSPEC;
    // NOSORT: sorting connect()s UDP sockets to rank the addresses; we only want them listed.
    hints.ai_flags = ARES_AI_NOSORT | ARES_AI_CANONNAME;
    ares_getaddrinfo(lookup->channel(), lookup->name.c_str(), nullptr, &hints, &OnAddrInfo,
                     lookup.get());
  } else {
    ares_query(lookup->channel(), lookup->name.c_str(), ns_c_in, ns_t_mx, &OnMx, lookup.get());
  }
  lookup->Started();
  const AresLookup::WaitEnd end = co_await lookup->Wait();
  if (end != AresLookup::WaitEnd::kDone) {
    lookup->Cancel();
    fail(DnsOutcome::kTimedOut, end == AresLookup::WaitEnd::kDeadline
                                    ? "no answer before the deadline"
                                    : "lookup cancelled");
  }
  lookup->Shutdown();
}

// Runs the lookup on a strand of the caller's executor: c-ares' channel is single-threaded, and
// the io_context may be run by several threads.
asio::awaitable<void> RunOnStrand(std::shared_ptr<AresLookup> lookup) {
  auto [error] = co_await asio::co_spawn(lookup->executor(), Drive(lookup),
                                         asio::as_tuple(asio::use_awaitable));
  if (error) {
    lookup->host_result = HostLookup{DnsOutcome::kFailed, {}, {}, "internal error in DNS lookup"};
    lookup->mx_result = MxLookup{DnsOutcome::kFailed, {}, "internal error in DNS lookup"};
  }
}

}  // namespace

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
  auto lookup = std::make_shared<AresLookup>(
      asio::make_strand(co_await asio::this_coro::executor), deadline, AresLookup::Kind::kHost,
      std::move(host), options_.attempt_timeout, options_.tries, servers_csv_);
  co_await RunOnStrand(lookup);
  co_return std::move(lookup->host_result);
}

asio::awaitable<MxLookup> DnsResolver::ResolveMx(std::string domain, Clock::time_point deadline) {
  if (domain.empty() || domain.find('\0') != std::string::npos) {
    co_return MxLookup{DnsOutcome::kFailed, {}, "empty or malformed domain"};
  }
  auto lookup = std::make_shared<AresLookup>(
      asio::make_strand(co_await asio::this_coro::executor), deadline, AresLookup::Kind::kMx,
      std::move(domain), options_.attempt_timeout, options_.tries, servers_csv_);
  co_await RunOnStrand(lookup);
  co_return std::move(lookup->mx_result);
}

}  // namespace cv::net
