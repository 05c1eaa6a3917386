// The server's own settings, each defined once: listening, TLS of the API, deadlines,
// admission, quotas, the state store, gRPC limits, the process. Flags of channel-verifier only
// (main.cc); the engine's settings, which channelctl --local shares, are in
// probe/engine_options.h. Rows: X(Type, name, default, placeholder, group, help), see
// common/option.h.
#pragma once

#include <span>

#include "common/option.h"

#define CV_SERVER_OPTIONS(X)                                                                      \
  X(String, listen, "0.0.0.0:50051", "HOST:PORT", "Serving", "gRPC address of the API")           \
  X(String, health_listen, "", "HOST:PORT", "Serving",                                            \
    "Extra plaintext port serving only grpc.health.v1.Health, for kubelet's gRPC probes while "   \
    "the API requires TLS: no API, no reflection (empty: none)")                                  \
  X(String, metrics_listen, "", "HOST:PORT", "Serving",                                           \
    "Prometheus metrics over HTTP at /metrics (empty: none)")                                     \
  X(String, tls_cert_file, "", "FILE", "TLS of the API",                                          \
    "PEM certificate chain for the API: TLS when set, plaintext when empty; re-read every "       \
    "--tls_reload_interval_s")                                                                    \
  X(String, tls_key_file, "", "FILE", "TLS of the API", "PEM private key of --tls_cert_file")     \
  X(String, client_ca_file, "", "FILE", "TLS of the API",                                         \
    "Mutual TLS: callers must present a certificate signed by these PEM CAs")                     \
  X(Int, tls_reload_interval_s, 60, "S", "TLS of the API",                                        \
    "How often the TLS files are checked for changes")                                            \
  X(Int, default_deadline_ms, 30000, "MS", "Deadlines and shutdown",                              \
    "Budget of a call whose caller sets no deadline")                                             \
  X(Int, max_deadline_ms, 120000, "MS", "Deadlines and shutdown", "Cap on the caller's deadline") \
  X(Int, shutdown_delay_ms, 0, "MS", "Deadlines and shutdown",                                    \
    "After SIGTERM, how long to keep serving while health says NOT_SERVING, so that load "        \
    "balancers stop sending before the listener closes")                                          \
  X(Int, shutdown_grace_ms, 25000, "MS", "Deadlines and shutdown",                                \
    "How long SIGTERM waits for calls in flight")                                                 \
  X(Int, max_in_flight, 20000, "N", "Admission",                                                  \
    "Verifications and test sends in flight at most; beyond, calls are refused with "             \
    "OVERLOADED")                                                                                 \
  X(Int, max_in_flight_per_caller, 0, "N", "Admission",                                           \
    "... of which at most this many for one caller, CALLER_BUSY beyond (0: a quarter of "         \
    "--max_in_flight)")                                                                           \
  X(Int, max_in_flight_per_host, 50, "N", "Admission",                                            \
    "... and at most this many to one host (canonical: one for every Microsoft or Google "        \
    "name); more wait for a slot while they could still start in time, and are refused with "     \
    "HOST_BUSY after (see Safety in README.md)")                                                  \
  X(String, caller_identity_header, "", "NAME", "Admission",                                      \
    "Metadata header a trusted proxy sets with the caller's identity, used only without "         \
    "mutual TLS (empty: callers without a client certificate are 'anonymous')")                   \
  X(Int, auth_failures_per_window, 3, "N", "AUTH budget and SendTest",                            \
    "The AUTH budget: rejected plus in-flight AUTH attempts per account (canonical server and "   \
    "username) before the service answers RESOURCE_EXHAUSTED (AUTH_RATE_LIMITED) instead of "     \
    "trying; rejected passwords are remembered for the window (see Safety in README.md)")         \
  X(Int, auth_failure_window_s, 900, "S", "AUTH budget and SendTest",                             \
    "The window of --auth_failures_per_window")                                                   \
  X(Int, send_quota_per_recipient_per_hour, 10, "N", "AUTH budget and SendTest",                  \
    "SendTest messages per recipient address in --send_quota_window_s (SEND_QUOTA_EXCEEDED "      \
    "beyond)")                                                                                    \
  X(Int, send_quota_per_channel_per_hour, 20, "N", "AUTH budget and SendTest",                    \
    "SendTest messages per channel (server and username, or provider and account) in "            \
    "--send_quota_window_s")                                                                      \
  X(Int, send_quota_per_caller_per_hour, 200, "N", "AUTH budget and SendTest",                    \
    "SendTest messages per caller in --send_quota_window_s")                                      \
  X(Int, send_quota_window_s, 3600, "S", "AUTH budget and SendTest",                              \
    "The sliding window of the --send_quota_* flags (an hour; tests shorten it)")                 \
  X(Int, send_dedup_window_s, 600, "S", "AUTH budget and SendTest",                               \
    "How long a SendTest request_id is remembered: a repeat within it is ALREADY_EXISTS, on "     \
    "any replica sharing the store (0: off)")                                                     \
  X(Int, send_dedup_max_entries, 100000, "N", "AUTH budget and SendTest",                         \
    "In-process store: most SendTest request ids remembered at once; beyond that a SendTest "     \
    "with a request_id is refused")                                                               \
  X(String, state_store, "memory", "URL", "State store",                                          \
    "Where the AUTH budget, rejected-password hashes and SendTest dedup live: memory (in the "    \
    "process, one replica), redis://HOST:PORT[/DB] or rediss://HOST:PORT[/DB]")                   \
  X(String, state_store_password_file, "", "FILE", "State store",                                 \
    "File holding the Redis password (never in the URL)")                                         \
  X(String, state_store_ca_file, "", "FILE", "State store",                                       \
    "PEM CAs to verify a rediss:// store with")                                                   \
  X(String, state_store_key_prefix, "cv:", "PREFIX", "State store",                               \
    "Prefix of every key in the store")                                                           \
  X(Int, state_store_timeout_ms, 500, "MS", "State store",                                        \
    "How long a store operation may take before the store counts as down")                        \
  X(String, state_key_file, "", "FILE", "State store",                                            \
    "HMAC key (32+ bytes) naming accounts, passwords and request ids in the store; required "     \
    "with Redis and the same on every replica (empty, in the process: a random key per start)")   \
  X(Int, max_receive_message_bytes, 65536, "BYTES", "gRPC limits", "Largest request accepted")    \
  X(Int, max_concurrent_streams, 10000, "N", "gRPC limits",                                       \
    "HTTP/2 streams per client connection")                                                       \
  X(Int, max_connection_age_s, 1800, "S", "gRPC limits",                                          \
    "Connections are closed (gracefully) after this long, so that load rebalances")               \
  X(Int, min_ping_interval_s, 60, "S", "gRPC limits",                                             \
    "Clients pinging more often than this without data are disconnected")                         \
  X(Int, io_threads, 0, "N", "Process", "Threads running the one event loop (0: one per core)")   \
  X(Bool, allow_core_dumps, false, "", "Process",                                                 \
    "Leave core dumps on (off by default: a core would hold the secrets of the calls in "         \
    "flight)")                                                                                    \
  X(String, log_level, "info", "LEVEL", "Process",                                                \
    "debug, info, warning or error; logs are JSON lines on stdout (at debug, every response "     \
    "too)")

namespace cv::rpc {

// The rows as data, in table order.
std::span<const OptionSpec> ServerOptions();

// Every option of the server: its own, then the engine's; what --help and the README list.
std::span<const OptionSpec> AllServerOptions();

}  // namespace cv::rpc
