// channel-verifier: flags, wiring, signals.
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#ifdef CV_WITH_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/option_docs.h"
#include "common/process_hardening.h"
#include "net/socket_budget.h"
#include "observability/metrics_server.h"
#include "observability/service_metrics.h"
#include "probe/config.h"
#include "probe/engine_options.h"
#include "rpc/credentials.h"
#include "rpc/health.h"
#include "rpc/server_options.h"
#include "rpc/service.h"
#include "state/open.h"
#include "verify/verifier.h"

// Every flag comes from the option tables: the server's own and the engine's, which
// channelctl --local shares.
#define CV_ABSL_FLAG(type, name, value, placeholder, group, help) \
  ABSL_FLAG(CV_OPTION_CPP_TYPE_##type, name, value, help);
CV_SERVER_OPTIONS(CV_ABSL_FLAG)
CV_ENGINE_OPTIONS(CV_ABSL_FLAG)
#undef CV_ABSL_FLAG

namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "channel-verifier: %s\n", message.c_str());
  cv::log::Error("startup failed", {{"error", message}});
  return 2;
}

// Which malloc serves the process, for the "serving" line: the build links jemalloc for speed
// (see service/CMakeLists.txt), and this shows that the linked one is really in use.
std::string AllocatorName() {
#ifdef CV_WITH_JEMALLOC
  const char* version = nullptr;
  size_t size = sizeof(version);
  if (mallctl("version", &version, &size, nullptr, 0) == 0 && version != nullptr) {
    return absl::StrCat("jemalloc ", version);
  }
  return "jemalloc";
#else
  return "libc";
#endif
}

// --help lists the option tables by group (absl's lists the flags of a file named after the
// binary, and there is none: it printed no flag at all); --help=markdown prints them as README
// "Configuration" has them. Every other help flag (--helpfull, --help=SUBSTRING, ...) is
// absl's. Returns the exit code when help was printed.
std::optional<int> PrintHelp(int argc, char** argv, const char* usage) {
  for (int i = 1; i < argc && std::string_view(argv[i]) != "--"; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help=markdown") {
      std::fputs(cv::OptionsMarkdown(cv::rpc::AllServerOptions()).c_str(), stdout);
      return 0;
    }
    if (arg == "--help" || arg == "-help") {
      std::printf(
          "channel-verifier: %s\n\nUsage: channel-verifier [--flag=VALUE ...], or "
          "--flagfile=FILE with one flag a line.\n%s\n--helpfull lists these and absl's own "
          "flags (--flagfile, --version, ...).\n",
          usage, cv::OptionsHelp(cv::rpc::AllServerOptions()).c_str());
      return 1;  // as absl's --help
    }
  }
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  constexpr char kUsage[] = "Verifies SMTP and OAuth mail channels over gRPC.";
  if (std::optional<int> exit_code = PrintHelp(argc, argv, kUsage)) return *exit_code;
  absl::SetProgramUsageMessage(kUsage);
  absl::ParseCommandLine(argc, argv);

  cv::log::Level level;
  if (!cv::log::ParseLevel(absl::GetFlag(FLAGS_log_level), &level)) {
    return Fail("--log_level must be debug, info, warning or error");
  }
  cv::log::SetLevel(level);
  // Before anything holds a secret.
  if (!absl::GetFlag(FLAGS_allow_core_dumps)) {
    if (std::string error = cv::DisableCoreDumps(); !error.empty()) return Fail(error);
  }
  const cv::FileLimits files = cv::RaiseOpenFileLimit();
  // Engine sockets are counted against a budget below the limit (net/socket_budget.h).
  cv::net::SocketBudget::SetLimit(cv::net::SocketBudget::ForFileLimit(files.soft));
  if (absl::GetFlag(FLAGS_send_dedup_window_s) < 0 ||
      absl::GetFlag(FLAGS_send_dedup_max_entries) < 1) {
    return Fail("--send_dedup_window_s must be >= 0 and --send_dedup_max_entries >= 1");
  }

  cv::probe::ConfigOptions options;
#define CV_ENGINE_FLAG(type, name, ...) options.name = absl::GetFlag(FLAGS_##name);
  CV_ENGINE_OPTIONS(CV_ENGINE_FLAG)
#undef CV_ENGINE_FLAG
  auto config = cv::probe::BuildConfig(options);
  if (!config.ok()) return Fail(std::string(config.status().message()));
  for (int v :
       {absl::GetFlag(FLAGS_auth_failures_per_window), absl::GetFlag(FLAGS_auth_failure_window_s),
        absl::GetFlag(FLAGS_max_in_flight), absl::GetFlag(FLAGS_max_in_flight_per_host),
        absl::GetFlag(FLAGS_send_quota_per_recipient_per_hour),
        absl::GetFlag(FLAGS_send_quota_per_channel_per_hour),
        absl::GetFlag(FLAGS_send_quota_per_caller_per_hour),
        absl::GetFlag(FLAGS_send_quota_window_s), absl::GetFlag(FLAGS_max_receive_message_bytes),
        absl::GetFlag(FLAGS_max_concurrent_streams), absl::GetFlag(FLAGS_max_connection_age_s),
        absl::GetFlag(FLAGS_min_ping_interval_s)}) {
    if (v <= 0) return Fail("limits (--auth_*, --max_*, --min_ping_interval_s) must be positive");
  }

  cv::rpc::ServerTlsOptions tls_options;
  tls_options.cert_file = absl::GetFlag(FLAGS_tls_cert_file);
  tls_options.key_file = absl::GetFlag(FLAGS_tls_key_file);
  tls_options.client_ca_file = absl::GetFlag(FLAGS_client_ca_file);
  tls_options.reload_interval_s = absl::GetFlag(FLAGS_tls_reload_interval_s);
  cv::rpc::ServerTlsSummary tls_summary;
  auto credentials = cv::rpc::MakeServerCredentials(tls_options, &tls_summary);
  if (!credentials.ok()) return Fail(std::string(credentials.status().message()));
  const std::string metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  if (!metrics_listen.empty()) {
    if (auto endpoint = cv::observability::ParseListenAddress(metrics_listen); !endpoint.ok()) {
      return Fail(absl::StrCat("--metrics_listen: ", endpoint.status().message()));
    }
  }

  // Signals are taken by sigwait below, never by a handler on a random thread: block them
  // before any thread starts so every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  int threads = absl::GetFlag(FLAGS_io_threads);
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  boost::asio::io_context io(threads);
  auto work = boost::asio::make_work_guard(io);
  std::vector<std::thread> loop;
  for (int i = 0; i < threads; ++i) loop.emplace_back([&io] { io.run(); });
  const auto stop_loop = [&] {
    work.reset();
    io.stop();
    for (auto& t : loop) t.join();
  };

  cv::state::StoreOptions store_options;
  store_options.url = absl::GetFlag(FLAGS_state_store);
  store_options.password_file = absl::GetFlag(FLAGS_state_store_password_file);
  store_options.ca_file = absl::GetFlag(FLAGS_state_store_ca_file);
  store_options.key_prefix = absl::GetFlag(FLAGS_state_store_key_prefix);
  store_options.key_file = absl::GetFlag(FLAGS_state_key_file);
  store_options.timeout = std::chrono::milliseconds(absl::GetFlag(FLAGS_state_store_timeout_ms));
  store_options.memory_max_claims =
      static_cast<size_t>(absl::GetFlag(FLAGS_send_dedup_max_entries));
  const std::string store_kind = store_options.url == "memory" ? "memory" : "redis";
  // Health learns of the store through this; it is made further down, before anything serves.
  std::function<void(bool)> tell_health;
  std::mutex store_state_mu;
  bool store_up = store_kind == "memory";
  store_options.on_state = [&, store_kind](bool up, const std::string& why) {
    cv::observability::SetStateStoreUp(store_kind, up);
    if (up) {
      cv::log::Info("state store up", {{"store", store_kind}, {"why", why}});
    } else {
      cv::log::Warning("state store down", {{"store", store_kind}, {"why", why}});
    }
    std::lock_guard lock(store_state_mu);
    store_up = up;
    if (tell_health) tell_health(up);
  };
  store_options.observe = [store_kind](double seconds, bool ok) {
    cv::observability::RecordStateStoreExchange(store_kind, seconds, ok);
  };
  if (store_options.timeout.count() <= 0) {
    stop_loop();
    return Fail("--state_store_timeout_ms must be positive");
  }
  auto opened = cv::state::OpenStore(io.get_executor(), store_options);
  if (!opened.ok()) {
    stop_loop();
    return Fail(std::string(opened.status().message()));
  }
  cv::observability::SetStateStoreUp(store_kind, opened->store->up());

  auto verifier = std::make_shared<cv::verify::Verifier>(io, *config);
  cv::rpc::ServiceOptions service_options;
  service_options.default_deadline =
      std::chrono::milliseconds(absl::GetFlag(FLAGS_default_deadline_ms));
  service_options.max_deadline = std::chrono::milliseconds(absl::GetFlag(FLAGS_max_deadline_ms));
  service_options.send_dedup_window =
      std::chrono::seconds(absl::GetFlag(FLAGS_send_dedup_window_s));
  service_options.auth_budget.max_failures = absl::GetFlag(FLAGS_auth_failures_per_window);
  service_options.auth_budget.window =
      std::chrono::seconds(absl::GetFlag(FLAGS_auth_failure_window_s));
  service_options.store = opened->store;
  service_options.keyring = opened->keyring;
  service_options.in_flight.max_total = static_cast<size_t>(absl::GetFlag(FLAGS_max_in_flight));
  service_options.in_flight.max_per_host =
      static_cast<size_t>(absl::GetFlag(FLAGS_max_in_flight_per_host));
  const int per_caller = absl::GetFlag(FLAGS_max_in_flight_per_caller);
  if (per_caller < 0) {
    stop_loop();
    return Fail("--max_in_flight_per_caller must be >= 0");
  }
  service_options.in_flight.max_per_caller =
      per_caller > 0 ? static_cast<size_t>(per_caller)
                     : std::max<size_t>(1, service_options.in_flight.max_total / 4);
  service_options.caller_identity_header =
      absl::AsciiStrToLower(absl::GetFlag(FLAGS_caller_identity_header));
  service_options.send_quotas.per_recipient =
      absl::GetFlag(FLAGS_send_quota_per_recipient_per_hour);
  service_options.send_quotas.per_channel = absl::GetFlag(FLAGS_send_quota_per_channel_per_hour);
  service_options.send_quotas.per_caller = absl::GetFlag(FLAGS_send_quota_per_caller_per_hour);
  service_options.send_quotas.window =
      std::chrono::seconds(absl::GetFlag(FLAGS_send_quota_window_s));

  cv::rpc::ChannelVerifierService service(verifier, service_options);
  const std::set<std::string> health_names = {
      std::string(channelverify::v1::ChannelVerifierService::service_full_name())};
  cv::rpc::HealthService health(health_names);
  // The plaintext health port has its own server (and its own HealthService, told the same
  // things) so that nothing but health is ever reachable without TLS.
  cv::rpc::HealthService plain_health(health_names);
  // The store has a health entry of its own: the service keeps serving while it is down
  // (AUTH withheld, SendTest with a request_id refused), and this tells why.
  constexpr char kStoreHealthName[] = "channelverify.v1.StateStore";
  {
    std::lock_guard lock(store_state_mu);
    tell_health = [&](bool up) {
      health.SetDependency(kStoreHealthName, up);
      plain_health.SetDependency(kStoreHealthName, up);
    };
    tell_health(store_up);
  }

  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  // Requests are a few hundred bytes: a large one is an attack or a bug.
  builder.SetMaxReceiveMessageSize(absl::GetFlag(FLAGS_max_receive_message_bytes));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                             absl::GetFlag(FLAGS_max_concurrent_streams));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS,
                             absl::GetFlag(FLAGS_max_connection_age_s) * 1000);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                             absl::GetFlag(FLAGS_max_deadline_ms));
  // Keepalive enforcement: clients may ping at most every min_ping_interval_s without data;
  // two strikes and the connection goes.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                             absl::GetFlag(FLAGS_min_ping_interval_s) * 1000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 2);
  int bound_port = 0;
  // gRPC sets SO_REUSEPORT by default: a second instance on the same port would start and
  // silently take a share of the connections instead of failing.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddListeningPort(absl::GetFlag(FLAGS_listen), *credentials, &bound_port);
  builder.RegisterService(&service);
  builder.RegisterService(&health);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || bound_port == 0) {
    stop_loop();
    return Fail(absl::StrCat("--listen: cannot listen on ", absl::GetFlag(FLAGS_listen),
                             " (not HOST:PORT, or in use)"));
  }
  std::unique_ptr<grpc::Server> health_server;
  int health_port = 0;
  if (const std::string address = absl::GetFlag(FLAGS_health_listen); !address.empty()) {
    grpc::ServerBuilder health_builder;
    health_builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    // Reflection registers itself with every builder: not on the plaintext port.
    health_builder.SetOption(cv::rpc::WithoutPlugins());
    health_builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &health_port);
    health_builder.RegisterService(&plain_health);
    health_server = health_builder.BuildAndStart();
    if (health_server == nullptr || health_port == 0) {
      server->Shutdown();
      stop_loop();
      return Fail(absl::StrCat("--health_listen: cannot listen on ", address,
                               " (not HOST:PORT, or in use)"));
    }
  }
  std::unique_ptr<cv::observability::MetricsServer> metrics_server;
  if (!metrics_listen.empty()) {
    auto started = cv::observability::MetricsServer::Start(
        io, metrics_listen, [] { return cv::observability::Metrics().registry.Render(); });
    if (!started.ok()) {
      if (health_server) health_server->Shutdown();
      server->Shutdown();
      stop_loop();
      return Fail(absl::StrCat("--metrics_listen: ", started.status().message()));
    }
    metrics_server = std::move(*started);
  }
  if (!tls_options.cert_file.empty()) {
    cv::log::Info("tls", {{"cert_subject", tls_summary.subject},
                          {"cert_not_after", tls_summary.not_after},
                          {"client_auth", tls_summary.client_cas > 0},
                          {"client_cas", tls_summary.client_cas},
                          {"reload_interval_s", tls_options.reload_interval_s}});
  }
  // Logged once the start succeeded: a failed start prints only why.
  cv::log::Info("open files", {{"soft_before", static_cast<unsigned long>(files.soft_before)},
                               {"soft", static_cast<unsigned long>(files.soft)},
                               {"hard", static_cast<unsigned long>(files.hard)},
                               {"socket_budget", cv::net::SocketBudget::limit()},
                               {"error", files.error},
                               {"core_dumps", absl::GetFlag(FLAGS_allow_core_dumps)}});
  cv::log::Info("serving", {{"listen", absl::GetFlag(FLAGS_listen)},
                            {"tls", !tls_options.cert_file.empty()},
                            {"health_port", health_port},
                            {"metrics_port", metrics_server ? metrics_server->port() : 0},
                            {"port", bound_port},
                            {"io_threads", threads},
                            {"state_store", opened->description},
                            {"allocator", AllocatorName()}});

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  cv::log::Info("shutting down", {{"signal", signal_number}});
  // Load balancers and kubelet see NOT_SERVING first; calls in flight finish within the grace
  // period; then the loop stops.
  health.SetServing(false);
  plain_health.SetServing(false);
  if (const int delay = absl::GetFlag(FLAGS_shutdown_delay_ms); delay > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
  }
  health.EndWatches();
  plain_health.EndWatches();
  const auto drained_by = std::chrono::system_clock::now() +
                          std::chrono::milliseconds(absl::GetFlag(FLAGS_shutdown_grace_ms));
  if (health_server) health_server->Shutdown(drained_by);
  server->Shutdown(drained_by);
  server->Wait();
  if (health_server) health_server->Wait();
  // Metrics are served until the end, so that the last scrape sees the drain.
  if (metrics_server) metrics_server->Stop();
  stop_loop();
  cv::log::Info("stopped");
  return 0;
}
