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
#include <set>
#include <string>
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
#include "common/process_hardening.h"
#include "net/socket_budget.h"
#include "observability/metrics_server.h"
#include "observability/service_metrics.h"
#include "probe/config.h"
#include "rpc/credentials.h"
#include "rpc/health.h"
#include "rpc/service.h"
#include "state/open.h"
#include "verify/verifier.h"

ABSL_FLAG(std::string, listen, "0.0.0.0:50051", "gRPC address HOST:PORT");
ABSL_FLAG(std::string, tls_cert_file, "",
          "PEM certificate chain for the gRPC API (TLS when set; reloaded when it changes)");
ABSL_FLAG(std::string, tls_key_file, "", "PEM private key of --tls_cert_file");
ABSL_FLAG(std::string, client_ca_file, "",
          "PEM CAs for mutual TLS: callers must present a certificate they signed");
ABSL_FLAG(int, tls_reload_interval_s, 60, "How often the TLS files are checked for changes");
ABSL_FLAG(std::string, health_listen, "",
          "Extra plaintext HOST:PORT serving only grpc.health.v1.Health, for kubelet's gRPC "
          "probes while the API requires TLS (empty: none)");
ABSL_FLAG(std::string, metrics_listen, "",
          "HOST:PORT for Prometheus metrics over HTTP at /metrics (empty: none)");
ABSL_FLAG(std::string, allow_cidrs, "",
          "Trusted CIDRs, allowed although the egress policy denies special ranges, on any port");
ABSL_FLAG(std::string, allow_plaintext_auth_cidrs, "",
          "Ranges (CIDR,...) a password may be sent to without TLS, e.g. an internal relay; "
          "default: none");
ABSL_FLAG(int, max_addresses_per_name, 8,
          "Addresses of one host name dialed at most (spread over IPv4 and IPv6)");
ABSL_FLAG(bool, allow_core_dumps, false,
          "Leave core dumps on (they would hold the secrets of the calls in flight)");
ABSL_FLAG(std::string, smtp_ports, "25,465,587,2525", "SMTP ports allowed on public addresses");
ABSL_FLAG(std::string, https_ports, "443", "HTTPS ports allowed on public addresses");
ABSL_FLAG(std::string, trusted_ca_file, "", "Extra trust anchors (PEM) for TLS to servers");
ABSL_FLAG(std::string, dns_servers, "", "Resolvers IP[:PORT],... (default: the system's)");
ABSL_FLAG(std::string, egress_ips, "3.121.59.239,3.65.146.216,18.158.122.164",
          "The IPs customers must allowlist, quoted in IP_NOT_ALLOWLISTED remediation");
ABSL_FLAG(std::string, google_client_id, "", "The service's OAuth client id at Google");
ABSL_FLAG(std::string, google_client_secret_file, "", "File holding the Google client secret");
ABSL_FLAG(std::string, microsoft_client_id, "", "The service's OAuth client id at Microsoft");
ABSL_FLAG(std::string, microsoft_client_secret_file, "",
          "File holding the Microsoft client secret");
ABSL_FLAG(std::string, google_token_url, "https://oauth2.googleapis.com/token", "Google token URL");
ABSL_FLAG(std::string, gmail_api_base, "https://gmail.googleapis.com", "Gmail API base URL");
ABSL_FLAG(std::string, google_directory_api_base, "https://admin.googleapis.com",
          "Admin SDK Directory API base URL");
ABSL_FLAG(std::string, microsoft_login_base, "https://login.microsoftonline.com",
          "Microsoft identity platform base URL");
ABSL_FLAG(std::string, microsoft_graph_base, "https://graph.microsoft.com",
          "Microsoft Graph base URL");
ABSL_FLAG(std::string, google_smtp_host, "smtp.gmail.com:587", "HOST[:PORT] for XOAUTH2 probes");
ABSL_FLAG(std::string, microsoft_smtp_host, "smtp.office365.com:587",
          "HOST[:PORT] for XOAUTH2 probes");
ABSL_FLAG(std::string, ehlo_name, "", "Name sent in EHLO (default: this host's name)");
ABSL_FLAG(int, io_threads, 0, "Threads running the event loop (0: one per core)");
ABSL_FLAG(int, default_deadline_ms, 30000, "Budget when the caller sets no deadline");
ABSL_FLAG(int, max_deadline_ms, 120000, "Longest budget a caller can ask for");
ABSL_FLAG(int, send_dedup_window_s, 600,
          "How long a SendTest request_id is remembered (a repeat is ALREADY_EXISTS); 0: off");
ABSL_FLAG(int, send_dedup_max_entries, 100000,
          "In-process store: most SendTest request ids remembered at once; beyond that a "
          "SendTest with a request_id is refused");
ABSL_FLAG(std::string, state_store, "memory",
          "Where the AUTH budget, rejected-password hashes and SendTest dedup live: memory "
          "(in-process, one replica), redis://HOST:PORT[/DB] or rediss://HOST:PORT[/DB]");
ABSL_FLAG(std::string, state_store_password_file, "", "File holding the Redis password");
ABSL_FLAG(std::string, state_store_ca_file, "", "PEM CAs to verify a rediss:// store with");
ABSL_FLAG(std::string, state_store_key_prefix, "cv:", "Prefix of every key in the store");
ABSL_FLAG(int, state_store_timeout_ms, 500,
          "How long a store operation may take before the store counts as unreachable");
ABSL_FLAG(std::string, state_key_file, "",
          "HMAC key (32+ bytes) naming accounts and rejected passwords in the store; required "
          "with Redis and the same on every replica (in-process: a random key per start)");
ABSL_FLAG(int, shutdown_grace_ms, 25000, "How long SIGTERM waits for in-flight calls");
ABSL_FLAG(int, shutdown_delay_ms, 0,
          "After SIGTERM, how long to keep serving while health says NOT_SERVING, so that load "
          "balancers stop sending before the listener closes");
ABSL_FLAG(int, auth_failures_per_window, 3,
          "Rejected plus in-flight AUTH attempts per account (canonical server and username) "
          "before the service stops trying");
ABSL_FLAG(int, auth_failure_window_s, 900, "The window of --auth_failures_per_window");
ABSL_FLAG(int, max_in_flight, 20000, "Verifications and test sends in flight at most");
ABSL_FLAG(int, max_in_flight_per_host, 50,
          "... of which at most this many to one host (canonical: one for every Microsoft or "
          "Google name); more wait for a slot while they could still start in time");
ABSL_FLAG(int, max_in_flight_per_caller, 0,
          "... and at most this many for one caller (0: a quarter of --max_in_flight)");
ABSL_FLAG(std::string, caller_identity_header, "",
          "Metadata header a trusted proxy sets with the caller's identity, used only without "
          "mutual TLS (empty: callers without a client certificate are 'anonymous')");
ABSL_FLAG(int, send_quota_per_recipient_per_hour, 10, "SendTest messages per recipient per hour");
ABSL_FLAG(int, send_quota_per_channel_per_hour, 20,
          "SendTest messages per channel (server + username, or provider + account) per hour");
ABSL_FLAG(int, send_quota_per_caller_per_hour, 200, "SendTest messages per caller per hour");
ABSL_FLAG(int, send_quota_window_s, 3600,
          "The sliding window of the --send_quota_* flags (an hour; tests shorten it)");
ABSL_FLAG(int, max_receive_message_bytes, 65536, "Largest request accepted");
ABSL_FLAG(int, max_concurrent_streams, 10000, "HTTP/2 streams per client connection");
ABSL_FLAG(int, max_connection_age_s, 1800,
          "Connections are closed (gracefully) after this long, so load rebalances");
ABSL_FLAG(int, min_ping_interval_s, 60,
          "Clients pinging more often than this without data are disconnected");
ABSL_FLAG(int, cert_expiry_warning_days, 14,
          "A mail server certificate expiring within this many days gives a warning (0: never)");
ABSL_FLAG(int, dns_timeout_ms, 5000, "Step timeout: DNS lookups");
ABSL_FLAG(int, connect_timeout_ms, 5000, "Step timeout: TCP connect");
ABSL_FLAG(int, greeting_timeout_ms, 10000, "Step timeout: SMTP greeting");
ABSL_FLAG(int, command_timeout_ms, 10000, "Step timeout: each SMTP command's reply");
ABSL_FLAG(int, tls_timeout_ms, 10000, "Step timeout: TLS handshake");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warning or error");

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

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("Verifies SMTP and OAuth mail channels over gRPC.");
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
  options.allow_cidrs = absl::GetFlag(FLAGS_allow_cidrs);
  options.allow_plaintext_auth_cidrs = absl::GetFlag(FLAGS_allow_plaintext_auth_cidrs);
  options.max_addresses_per_name = absl::GetFlag(FLAGS_max_addresses_per_name);
  options.smtp_ports = absl::GetFlag(FLAGS_smtp_ports);
  options.https_ports = absl::GetFlag(FLAGS_https_ports);
  options.trusted_ca_file = absl::GetFlag(FLAGS_trusted_ca_file);
  options.dns_servers = absl::GetFlag(FLAGS_dns_servers);
  options.egress_ips = absl::GetFlag(FLAGS_egress_ips);
  options.ehlo_name = absl::GetFlag(FLAGS_ehlo_name);
  options.cert_expiry_warning_days = absl::GetFlag(FLAGS_cert_expiry_warning_days);
  options.google_client_id = absl::GetFlag(FLAGS_google_client_id);
  options.google_client_secret_file = absl::GetFlag(FLAGS_google_client_secret_file);
  options.microsoft_client_id = absl::GetFlag(FLAGS_microsoft_client_id);
  options.microsoft_client_secret_file = absl::GetFlag(FLAGS_microsoft_client_secret_file);
  options.google_token_url = absl::GetFlag(FLAGS_google_token_url);
  options.gmail_api_base = absl::GetFlag(FLAGS_gmail_api_base);
  options.google_directory_api_base = absl::GetFlag(FLAGS_google_directory_api_base);
  options.microsoft_login_base = absl::GetFlag(FLAGS_microsoft_login_base);
  options.microsoft_graph_base = absl::GetFlag(FLAGS_microsoft_graph_base);
  options.google_smtp_host = absl::GetFlag(FLAGS_google_smtp_host);
  options.microsoft_smtp_host = absl::GetFlag(FLAGS_microsoft_smtp_host);
  auto config = cv::probe::BuildConfig(options);
  if (!config.ok()) return Fail(std::string(config.status().message()));
  for (int ms : {absl::GetFlag(FLAGS_dns_timeout_ms), absl::GetFlag(FLAGS_connect_timeout_ms),
                 absl::GetFlag(FLAGS_greeting_timeout_ms), absl::GetFlag(FLAGS_command_timeout_ms),
                 absl::GetFlag(FLAGS_tls_timeout_ms)}) {
    if (ms <= 0) return Fail("step timeouts (--*_timeout_ms) must be positive");
  }
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
  auto& timeouts = (*config)->timeouts;
  timeouts.dns = std::chrono::milliseconds(absl::GetFlag(FLAGS_dns_timeout_ms));
  timeouts.connect = std::chrono::milliseconds(absl::GetFlag(FLAGS_connect_timeout_ms));
  timeouts.greeting = std::chrono::milliseconds(absl::GetFlag(FLAGS_greeting_timeout_ms));
  timeouts.command = std::chrono::milliseconds(absl::GetFlag(FLAGS_command_timeout_ms));
  timeouts.tls = std::chrono::milliseconds(absl::GetFlag(FLAGS_tls_timeout_ms));

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
