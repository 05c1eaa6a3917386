// DnsResolver against a real dnsmasq on a loopback port (docs/testing.md). Only
// 127.0.0.0/8 is ever contacted.
#include "net/dns.h"

#include <ares.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <filesystem>
#include <future>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace cv::net {
namespace {

namespace asio = boost::asio;
using asio::ip::make_address;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

// A UDP socket bound to 127.0.0.1 on a kernel-chosen port. Kept open and never read, it is a DNS
// server that never answers; closed, its port is (very likely) free for dnsmasq.
struct UdpSocket {
  int fd = -1;
  uint16_t port = 0;
  UdpSocket() {
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(sin);
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&sin), sizeof(sin)) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&sin), &len) != 0) {
      return;
    }
    port = ntohs(sin.sin_port);
  }
  ~UdpSocket() { Close(); }
  void Close() {
    if (fd >= 0) close(fd);
    fd = -1;
  }
};

// Sends one A query for `name` to 127.0.0.1:port and waits up to `wait` for any answer.
bool DnsAnswers(uint16_t port, const char* name, milliseconds wait) {
  unsigned char* query = nullptr;
  int query_len = 0;
  if (ares_create_query(name, ns_c_in, ns_t_a, 0x1234, 1, &query, &query_len, 0) != ARES_SUCCESS) {
    return false;
  }
  UdpSocket s;
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const ssize_t sent =
      sendto(s.fd, query, query_len, 0, reinterpret_cast<sockaddr*>(&to), sizeof(to));
  ares_free_string(query);
  if (sent != query_len) return false;
  pollfd p{s.fd, POLLIN, 0};
  if (poll(&p, 1, static_cast<int>(wait.count())) != 1) return false;
  unsigned char buf[512];
  return recv(s.fd, buf, sizeof(buf), 0) > 0;
}

// dnsmasq in its own process group, so TearDown can kill it and anything it started.
class Dnsmasq {
 public:
  bool Start() {
    for (int attempt = 0; attempt < 5; ++attempt) {
      uint16_t port;
      {
        UdpSocket probe;
        port = probe.port;
      }
      if (port == 0) continue;
      if (Launch(port)) {
        port_ = port;
        return true;
      }
      Stop();
    }
    return false;
  }

  void Stop() {
    if (pid_ <= 0) return;
    kill(-pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 100 && waitpid(pid_, &status, WNOHANG) == 0; ++i) usleep(10'000);
    if (waitpid(pid_, &status, WNOHANG) == 0) {
      kill(-pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
    pid_ = -1;
  }

  ~Dnsmasq() { Stop(); }
  uint16_t port() const { return port_; }

 private:
  bool Launch(uint16_t port) {
    std::vector<std::string> args = {
        "/usr/sbin/dnsmasq",
        "--keep-in-foreground",
        "--conf-file=/dev/null",
        "--no-hosts",
        "--no-resolv",
        "--no-poll",
        "--listen-address=127.0.0.1",
        "--bind-interfaces",
        "--port=" + std::to_string(port),
        "--pid-file=",
        "--log-facility=-",
        "--local-ttl=300",
        "--local=/#/",
        "--host-record=smtp.t.test,127.0.0.5",
        "--host-record=v6.t.test,::1",
        "--host-record=dual.t.test,127.0.0.6,::1",
        "--cname=alias.t.test,smtp.t.test",
        "--cname=alias2.t.test,alias.t.test",
        "--mx-host=t.test,mx1.t.test,10",
        "--mx-host=t.test,mx2.t.test,5",
        "--mx-host=t.test,mx3.t.test,20",
        "--txt-record=nodata.t.test,only text here",
    };
    for (int i = 0; i < 300; ++i) {
      args.push_back("--host-record=h" + std::to_string(i) + ".t.test,127.1." +
                     std::to_string(i / 250) + "." + std::to_string(i % 250 + 1));
    }
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) return false;
    if (pid == 0) {
      setpgid(0, 0);
      // If the test binary crashes, TearDown never runs: let the kernel stop dnsmasq instead.
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(127);
      const int null = open("/dev/null", O_RDWR);
      if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
      }
      execv(argv[0], argv.data());
      _exit(127);
    }
    setpgid(pid, pid);  // also here, so the group exists before the parent may signal it
    pid_ = pid;
    const auto give_up = Clock::now() + std::chrono::seconds(5);
    while (Clock::now() < give_up) {
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) {  // exited: port taken, or bad flags
        pid_ = -1;
        return false;
      }
      if (DnsAnswers(port, "smtp.t.test", milliseconds(100))) return true;
    }
    return false;
  }

  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

template <typename T>
T RunOn(asio::io_context& ctx, asio::awaitable<T> work) {
  std::future<T> f = asio::co_spawn(ctx, std::move(work), asio::use_future);
  ctx.run();
  ctx.restart();
  return f.get();
}

std::shared_ptr<DnsResolver> MakeResolver(std::string server,
                                          milliseconds attempt = milliseconds(1000),
                                          int tries = 2) {
  DnsResolver::Options o;
  o.servers = {std::move(server)};
  o.attempt_timeout = attempt;
  o.tries = tries;
  absl::StatusOr<std::shared_ptr<DnsResolver>> r = DnsResolver::Create(o);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : nullptr;
}

Clock::time_point In(milliseconds d) { return Clock::now() + d; }

class DnsTest : public ::testing::Test {
 protected:
  // One dnsmasq for the suite: it serves static records, so tests cannot disturb each other.
  static void SetUpTestSuite() {
    dnsmasq_ = new Dnsmasq;
    if (!dnsmasq_->Start()) {
      delete dnsmasq_;
      dnsmasq_ = nullptr;
    }
  }
  static void TearDownTestSuite() {
    delete dnsmasq_;  // kills the process group
    dnsmasq_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(dnsmasq_, nullptr) << "dnsmasq did not start";
    resolver_ = MakeResolver("127.0.0.1:" + std::to_string(dnsmasq_->port()));
    ASSERT_NE(resolver_, nullptr);
  }

  HostLookup Host(const std::string& name, milliseconds deadline = milliseconds(3000)) {
    return RunOn(ctx_, resolver_->ResolveHost(name, In(deadline)));
  }
  MxLookup Mx(const std::string& name) {
    return RunOn(ctx_, resolver_->ResolveMx(name, In(milliseconds(3000))));
  }

  static Dnsmasq* dnsmasq_;
  asio::io_context ctx_;
  std::shared_ptr<DnsResolver> resolver_;
};

Dnsmasq* DnsTest::dnsmasq_ = nullptr;

TEST_F(DnsTest, ResolvesA) {
  const HostLookup r = Host("smtp.t.test");
  EXPECT_EQ(r.outcome, DnsOutcome::kOk) << r.error;
  EXPECT_THAT(r.addresses, ElementsAre(make_address("127.0.0.5")));
  EXPECT_TRUE(r.cname_chain.empty());
}

TEST_F(DnsTest, ResolvesAaaa) {
  HostLookup r = Host("v6.t.test");
  EXPECT_EQ(r.outcome, DnsOutcome::kOk) << r.error;
  EXPECT_THAT(r.addresses, ElementsAre(make_address("::1")));
  r = Host("dual.t.test");
  EXPECT_EQ(r.outcome, DnsOutcome::kOk) << r.error;
  EXPECT_THAT(r.addresses, UnorderedElementsAre(make_address("127.0.0.6"), make_address("::1")));
}

TEST_F(DnsTest, FollowsCnameChain) {
  HostLookup r = Host("alias.t.test");
  EXPECT_EQ(r.outcome, DnsOutcome::kOk) << r.error;
  EXPECT_THAT(r.addresses, ElementsAre(make_address("127.0.0.5")));
  EXPECT_THAT(r.cname_chain, ElementsAre("smtp.t.test"));
  r = Host("alias2.t.test");
  EXPECT_EQ(r.outcome, DnsOutcome::kOk) << r.error;
  EXPECT_THAT(r.addresses, ElementsAre(make_address("127.0.0.5")));
  EXPECT_THAT(r.cname_chain, ElementsAre("alias.t.test", "smtp.t.test"));
}

TEST_F(DnsTest, MxSortedByPreference) {
  const MxLookup r = Mx("t.test");
  ASSERT_EQ(r.outcome, DnsOutcome::kOk) << r.error;
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_EQ(r.records[0].host, "mx2.t.test");
  EXPECT_EQ(r.records[0].preference, 5);
  EXPECT_EQ(r.records[1].host, "mx1.t.test");
  EXPECT_EQ(r.records[1].preference, 10);
  EXPECT_EQ(r.records[2].host, "mx3.t.test");
  EXPECT_EQ(r.records[2].preference, 20);
}

TEST_F(DnsTest, NxdomainIsNameNotFound) {
  const HostLookup h = Host("nope.t.test");
  EXPECT_EQ(h.outcome, DnsOutcome::kNameNotFound) << h.error;
  EXPECT_TRUE(h.addresses.empty());
  EXPECT_FALSE(h.error.empty());
  const MxLookup m = Mx("nope.t.test");
  EXPECT_EQ(m.outcome, DnsOutcome::kNameNotFound) << m.error;
}

TEST_F(DnsTest, NodataIsNameNotFound) {
  const HostLookup h = Host("nodata.t.test");
  EXPECT_EQ(h.outcome, DnsOutcome::kNameNotFound) << h.error;
  const MxLookup m = Mx("smtp.t.test");
  EXPECT_EQ(m.outcome, DnsOutcome::kNameNotFound) << m.error;
  EXPECT_TRUE(m.records.empty());
}

TEST_F(DnsTest, RejectsNamesCAresWouldCutShort) {
  const HostLookup h = Host(std::string("smtp.t.test\0.evil", 16));
  EXPECT_EQ(h.outcome, DnsOutcome::kFailed);
  EXPECT_TRUE(h.addresses.empty());
  EXPECT_EQ(Host("").outcome, DnsOutcome::kFailed);
  EXPECT_EQ(Mx(std::string("t.test\0x", 8)).outcome, DnsOutcome::kFailed);
}

TEST_F(DnsTest, IpLiteralNeedsNoQuery) {
  // The server never answers: only a lookup that sends nothing can succeed.
  UdpSocket silent;
  auto resolver = MakeResolver("127.0.0.1:" + std::to_string(silent.port));
  HostLookup r = RunOn(ctx_, resolver->ResolveHost("127.0.0.9", In(milliseconds(2000))));
  EXPECT_EQ(r.outcome, DnsOutcome::kOk);
  EXPECT_THAT(r.addresses, ElementsAre(make_address("127.0.0.9")));
  r = RunOn(ctx_, resolver->ResolveHost("::1", In(milliseconds(2000))));
  EXPECT_EQ(r.outcome, DnsOutcome::kOk);
  EXPECT_THAT(r.addresses, ElementsAre(make_address("::1")));
  // And nothing was sent: a query would be waiting in the silent server's socket (loopback
  // delivers at once), whatever the machine's load.
  unsigned char buf[512];
  EXPECT_LT(recv(silent.fd, buf, sizeof(buf), MSG_DONTWAIT), 0) << "a query reached the server";
}

TEST_F(DnsTest, SilentServerTimesOut) {
  UdpSocket silent;
  auto resolver = MakeResolver("127.0.0.1:" + std::to_string(silent.port), milliseconds(150), 2);
  const HostLookup r = RunOn(ctx_, resolver->ResolveHost("smtp.t.test", In(milliseconds(3000))));
  EXPECT_EQ(r.outcome, DnsOutcome::kTimedOut) << r.error;
  EXPECT_TRUE(r.addresses.empty());
  // c-ares' own attempts (2 x 150 ms, with its backoff) end it, well before the deadline: the
  // error is c-ares' timeout, not the deadline's (which says "no answer before the deadline").
  EXPECT_EQ(r.error, ares_strerror(ARES_ETIMEOUT));
  const MxLookup m = RunOn(ctx_, resolver->ResolveMx("t.test", In(milliseconds(3000))));
  EXPECT_EQ(m.outcome, DnsOutcome::kTimedOut) << m.error;
  EXPECT_EQ(m.error, ares_strerror(ARES_ETIMEOUT));
}

TEST_F(DnsTest, ClosedPortFailsFast) {
  uint16_t port;
  {
    UdpSocket probe;
    port = probe.port;
  }
  // The refusal ends it at once, or at the latest the deadline does. c-ares alone would wait
  // 10 s for its first attempt, so a bound of the deadline plus seconds of slack for a loaded
  // machine still catches a lookup that outlived its deadline.
  constexpr milliseconds kDeadline(1500);
  auto resolver = MakeResolver("127.0.0.1:" + std::to_string(port), milliseconds(10000), 2);
  const auto start = Clock::now();
  const HostLookup r = RunOn(ctx_, resolver->ResolveHost("smtp.t.test", In(kDeadline)));
  const auto elapsed = Clock::now() - start;
  EXPECT_THAT(r.outcome, ::testing::AnyOf(DnsOutcome::kFailed, DnsOutcome::kTimedOut)) << r.error;
  EXPECT_LT(elapsed, kDeadline + milliseconds(5000));
}

TEST_F(DnsTest, DeadlineShorterThanAttemptIsHonoured) {
  // c-ares would wait 5 s for its first attempt: what ends these lookups is the deadline, as
  // their error says; a load that slows the test does not turn that into c-ares' timeout. The
  // lower bound holds under any load; the upper one has the attempt's seconds of margin and
  // catches a lookup that ignored its deadline.
  constexpr milliseconds kAttempt(5000);
  UdpSocket silent;
  auto resolver = MakeResolver("127.0.0.1:" + std::to_string(silent.port), kAttempt, 3);
  for (milliseconds deadline : {milliseconds(0), milliseconds(50), milliseconds(300)}) {
    const auto start = Clock::now();
    const HostLookup h = RunOn(ctx_, resolver->ResolveHost("smtp.t.test", start + deadline));
    const auto elapsed = Clock::now() - start;
    EXPECT_EQ(h.outcome, DnsOutcome::kTimedOut) << h.error;
    EXPECT_EQ(h.error, "no answer before the deadline");
    EXPECT_GE(elapsed, deadline);
    EXPECT_LT(elapsed, kAttempt);
  }
  const auto start = Clock::now();
  const MxLookup m = RunOn(ctx_, resolver->ResolveMx("t.test", start + milliseconds(300)));
  EXPECT_EQ(m.outcome, DnsOutcome::kTimedOut);
  EXPECT_EQ(m.error, "no answer before the deadline");
  EXPECT_LT(Clock::now() - start, kAttempt);
}

asio::awaitable<void> LookupInto(std::shared_ptr<DnsResolver> resolver, std::string name,
                                 Clock::time_point deadline, HostLookup* out) {
  *out = co_await resolver->ResolveHost(std::move(name), deadline);
}

// 300 lookups at once, all answered. With the fixture's resolver each lookup is answered within
// c-ares' two tries (1 s, then 2 s; a burst can lose a query, which the second try covers) or
// ends as a failure before the 5 s deadline: one that waited for anything longer fails the
// outcome check, so no clock of the test's own, which load could stretch, has to catch it.
void ExpectManyConcurrent(std::shared_ptr<DnsResolver> resolver, int threads) {
  constexpr int kLookups = 300;
  asio::io_context ctx;
  std::vector<HostLookup> results(kLookups);
  const auto deadline = In(milliseconds(5000));
  for (int i = 0; i < kLookups; ++i) {
    asio::co_spawn(ctx,
                   LookupInto(resolver, "h" + std::to_string(i) + ".t.test", deadline, &results[i]),
                   asio::detached);
  }
  const auto start = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back([&] { ctx.run(); });
  ctx.run();
  for (std::thread& t : pool) t.join();
  const auto elapsed = Clock::now() - start;
  for (int i = 0; i < kLookups; ++i) {
    const std::string expected =
        "127.1." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
    ASSERT_EQ(results[i].outcome, DnsOutcome::kOk) << i << ": " << results[i].error;
    EXPECT_THAT(results[i].addresses, ElementsAre(make_address(expected))) << i;
  }
  std::cout << kLookups << " lookups on " << threads << " thread(s) in "
            << std::chrono::duration_cast<milliseconds>(elapsed).count() << " ms\n";
}

TEST_F(DnsTest, ManyLookupsAtOnceOnOneIoContext) { ExpectManyConcurrent(resolver_, 1); }

TEST_F(DnsTest, ManyLookupsOnAMultiThreadedIoContext) { ExpectManyConcurrent(resolver_, 2); }

int OpenDescriptors() {
  int n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    ++n;
  }
  return n;
}

// 10,000 verifications in flight must not hold a socket (and a c-ares channel) per lookup: the
// process may open 20,000 descriptors at most. Lookups share channels, 64 at most per socket.
TEST_F(DnsTest, LookupsInFlightShareAFewSockets) {
  UdpSocket silent;
  auto resolver = MakeResolver("127.0.0.1:" + std::to_string(silent.port), milliseconds(5000), 1);
  asio::io_context ctx;
  asio::steady_timer reactor_made_first(ctx);  // the loop's own descriptors are not counted
  constexpr int kLookups = 300;
  std::vector<HostLookup> results(kLookups);
  const int before = OpenDescriptors();
  const auto deadline = In(milliseconds(1500));
  for (int i = 0; i < kLookups; ++i) {
    asio::co_spawn(ctx,
                   LookupInto(resolver, "h" + std::to_string(i) + ".t.test", deadline, &results[i]),
                   asio::detached);
  }
  ctx.run_for(milliseconds(300));  // every query sent, none answered
  EXPECT_LE(OpenDescriptors() - before, kLookups / 64 + 4);
  ctx.run();
  for (const HostLookup& r : results) EXPECT_EQ(r.outcome, DnsOutcome::kTimedOut) << r.error;
  // Given up on, the queries are cancelled and the sockets closed.
  EXPECT_EQ(OpenDescriptors(), before);
}

TEST_F(DnsTest, CallerCancellationEndsTheLookup) {
  using namespace asio::experimental::awaitable_operators;
  UdpSocket silent;
  auto resolver = MakeResolver("127.0.0.1:" + std::to_string(silent.port), milliseconds(5000), 1);
  constexpr milliseconds kLookupDeadline(5000);
  auto race = [&]() -> asio::awaitable<int> {
    asio::steady_timer timer(co_await asio::this_coro::executor, milliseconds(50));
    auto winner = co_await (resolver->ResolveHost("smtp.t.test", In(kLookupDeadline)) ||
                            timer.async_wait(asio::use_awaitable));
    co_return static_cast<int>(winner.index());
  };
  const auto start = Clock::now();
  EXPECT_EQ(RunOn(ctx_, race()), 1);  // the timer won; the lookup was cancelled
  // `||` waits for the loser to finish: a lookup that ignored the cancellation would run to its
  // own deadline. Ending before it (50 ms against 5 s) holds on any loaded machine.
  EXPECT_LT(Clock::now() - start, kLookupDeadline);
}

TEST_F(DnsTest, DestroyingTheIoContextWithLookupsPendingIsSafe) {
  UdpSocket silent;
  auto resolver = MakeResolver("127.0.0.1:" + std::to_string(silent.port), milliseconds(5000), 1);
  for (int round = 0; round < 3; ++round) {
    auto ctx = std::make_unique<asio::io_context>();
    std::vector<HostLookup> results(50);
    for (int i = 0; i < 50; ++i) {
      asio::co_spawn(*ctx, LookupInto(resolver, "smtp.t.test", In(milliseconds(5000)), &results[i]),
                     asio::detached);
    }
    ctx->run_for(milliseconds(20 * round));
    ctx.reset();  // frames, handlers and c-ares channels go away mid-lookup
  }
  // Still usable afterwards, with the same resolver object.
  const HostLookup r = Host("smtp.t.test");
  EXPECT_EQ(r.outcome, DnsOutcome::kOk) << r.error;
}

}  // namespace
}  // namespace cv::net
