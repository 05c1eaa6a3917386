// channelctl: the command-line client of channel-verifier. See `channelctl --help`.
#include <grpc/support/log.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "channelctl/args.h"
#include "channelctl/backend.h"
#include "channelctl/channel.h"
#include "channelctl/render.h"
#include "channelctl/report_file.h"
#include "channelctl/spinner.h"
#include "channelctl/timeline_text.h"
#include "channelverify/report.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace channelctl {
namespace {
namespace v1 = channelverify::v1;

constexpr int kExitUsage = 3;

int UsageError(const std::string& message, const CommandDef* command) {
  std::cerr << "channelctl: " << message << "\n"
            << Usage(command) << "\n"
            << "Run 'channelctl " << (command ? std::string(command->name) + " " : "")
            << "--help' for more.\n";
  return kExitUsage;
}

std::string CodeName(grpc::StatusCode code) {
  static constexpr const char* kNames[] = {"OK",
                                           "CANCELLED",
                                           "UNKNOWN",
                                           "INVALID_ARGUMENT",
                                           "DEADLINE_EXCEEDED",
                                           "NOT_FOUND",
                                           "ALREADY_EXISTS",
                                           "PERMISSION_DENIED",
                                           "RESOURCE_EXHAUSTED",
                                           "FAILED_PRECONDITION",
                                           "ABORTED",
                                           "OUT_OF_RANGE",
                                           "UNIMPLEMENTED",
                                           "INTERNAL",
                                           "UNAVAILABLE",
                                           "DATA_LOSS",
                                           "UNAUTHENTICATED"};
  const int i = static_cast<int>(code);
  return i >= 0 && i < 17 ? kNames[i] : std::to_string(i);
}

// An RPC error: what failed, and for a bad request which field and why.
int RpcError(const grpc::Status& status, const Backend& backend) {
  std::string what;
  grpc::StatusCode code = status.error_code();
  if (code == grpc::StatusCode::DEADLINE_EXCEEDED && backend.Unreachable()) {
    code = grpc::StatusCode::UNAVAILABLE;
  }
  switch (code) {
    case grpc::StatusCode::UNAVAILABLE:
      if (const std::string why = backend.ExplainConnectionFailure(); !why.empty()) {
        what = "cannot connect to " + backend.Describe() + ": " + why +
               "\n  (gRPC: " + status.error_message() + ")";
      } else {
        what = "cannot reach " + backend.Describe() + " (" + status.error_message() +
               "). Is it running? --local runs the check in this process without a server.";
      }
      break;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      what = "no answer from " + backend.Describe() + " within the deadline (--timeout)";
      break;
    default:
      what = backend.Describe() + " refused the request: " + CodeName(status.error_code()) + ": " +
             status.error_message();
  }
  std::cerr << "channelctl: " << what << "\n";
  google::rpc::Status details;
  if (!status.error_details().empty() && details.ParseFromString(status.error_details())) {
    for (const auto& any : details.details()) {
      google::rpc::BadRequest bad;
      google::rpc::ErrorInfo info;
      if (any.UnpackTo(&bad)) {
        for (const auto& v : bad.field_violations()) {
          std::cerr << "  " << v.field() << ": " << v.description() << "\n";
        }
      } else if (any.UnpackTo(&info) && !info.reason().empty()) {
        std::cerr << "  reason: " << info.reason() << "\n";
      }
    }
  }
  return kExitUsage;
}

bool UseColor(const Args& args, bool* ok) {
  const std::string when = args.Get("color", "auto");
  *ok = true;
  if (when == "always") return true;
  if (when == "never") return false;
  if (when != "auto") {
    *ok = false;
    return false;
  }
  // https://no-color.org: any non-empty NO_COLOR turns colour off.
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && *no_color != '\0') return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::string(term) == "dumb") return false;
  return isatty(STDOUT_FILENO);
}

// The locale that decides the character set, as the C library would pick it.
std::string Locale() {
  for (const char* name : {"LC_ALL", "LC_CTYPE", "LANG"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') return value;
  }
  return "";
}

// The server flags as the library's options. The library checks them too, but in its own
// words (ca_file); here a mistake is named by the flag the engineer typed.
std::string ServerOptions(const Args& args, channelverify::ClientOptions* client) {
  const char* env_server = std::getenv("CHANNELCTL_SERVER");
  client->target = args.Get("server", env_server && *env_server ? env_server : "127.0.0.1:50051");
  client->ca_file = args.Get("ca-file");
  client->cert_file = args.Get("cert-file");
  client->key_file = args.Get("key-file");
  client->tls_server_name = args.Get("tls-server-name");
  client->tls = args.Has("tls") || !client->ca_file.empty() || !client->cert_file.empty() ||
                !client->tls_server_name.empty();
  if (args.Has("cert-file") != args.Has("key-file")) {
    return "--cert-file and --key-file go together (the client certificate for mTLS and its key)";
  }
  for (const char* flag : {"ca-file", "cert-file", "key-file"}) {
    if (!args.Has(flag)) continue;
    const std::string path = args.Get(flag);
    if (access(path.c_str(), R_OK) != 0) {
      return std::string("--") + flag + ": cannot read " + path + ": " + std::strerror(errno);
    }
  }
  return "";
}

struct Context {
  Args args;
  Style style;
  std::string output;  // human, json, markdown
  std::string lang;
  std::unique_ptr<Backend> backend;
  std::string made_by;         // for the report: which server, or this machine
  bool egress_unknown = true;  // --local without --egress-ips: the IPs of this machine are unknown
};

// --report FILE: the file is claimed before the call (a path that cannot be written is said
// before anything runs or is sent) and written after it.
struct Report {
  bool wanted = false;
  ReportFile file;
  channelverify::ReportContext context;
};

int StartReport(Context& ctx, Report* report) {
  report->wanted = ctx.args.Has("report");
  if (!report->wanted) return 0;
  std::string error;
  if (!report->file.Claim(ctx.args.Get("report"), &error)) {
    std::cerr << "channelctl: " << error << "\n";
    return kExitUsage;
  }
  report->context.made_at = std::chrono::system_clock::now();
  report->context.made_by = ctx.made_by;
  return 0;
}

// Writes the page; the exit status is `status`, or kExitUsage when the file could not be
// written (the result was printed already).
int FinishReport(Report* report, const std::string& html, int status) {
  std::string error;
  if (!report->file.Write(html, &error)) {
    std::cerr << "channelctl: " << error << "\n";
    return kExitUsage;
  }
  return status;
}

// Where the check was made from, as the engine that made it says (ListDiagnoses.egress_ips).
// Best effort: a server that does not say leaves the report saying "not known".
std::vector<std::string> EgressIps(Context& ctx) {
  if (ctx.egress_unknown) return {};
  v1::ListDiagnosesRequest request;
  request.set_language_code(ctx.lang);
  v1::ListDiagnosesResponse catalog;
  if (!ctx.backend->ListDiagnoses(request, &catalog).ok()) return {};
  return {catalog.egress_ips().begin(), catalog.egress_ips().end()};
}

int Verify(Context& ctx) {
  v1::VerifyChannelRequest request;
  std::string error;
  if (!ParseChannel(ctx.args.positional[0], request.mutable_channel(), &error) ||
      !CompleteChannel(ctx.args, SystemSecretSources(), request.mutable_channel(), &error)) {
    return UsageError(error, ctx.args.command);
  }
  request.set_language_code(ctx.lang);
  const std::string header = DescribeChannel(request.channel());
  Report report;
  if (int code = StartReport(ctx, &report); code != 0) return code;
  v1::VerifyChannelResponse response;
  grpc::Status status;
  {
    Spinner spinner(ctx.output == "human" && isatty(STDERR_FILENO), "verifying " + header);
    status = ctx.backend->VerifyChannel(request, &response);
  }
  if (!status.ok()) {
    report.file.Abandon();
    return RpcError(status, *ctx.backend);
  }
  std::cout << (ctx.output == "json" ? ToJson(response)
                                     : RenderVerify(response, header, ctx.style));
  const int code = ExitCodeFor(response.verdict());
  if (!report.wanted) return code;
  std::cout.flush();
  report.context.egress_ips = EgressIps(ctx);
  return FinishReport(&report, channelverify::RenderReport(request, response, report.context),
                      code);
}

int SendTest(Context& ctx) {
  v1::SendTestRequest request;
  std::string error;
  if (!ctx.args.Has("to")) return UsageError("--to ADDR is required", ctx.args.command);
  if (!ParseChannel(ctx.args.positional[0], request.mutable_channel(), &error) ||
      !CompleteChannel(ctx.args, SystemSecretSources(), request.mutable_channel(), &error)) {
    return UsageError(error, ctx.args.command);
  }
  request.set_recipient(ctx.args.Get("to"));
  request.set_language_code(ctx.lang);
  request.set_request_id(ctx.args.Get("request-id", channelverify::Client::NewRequestId()));
  const std::string header = DescribeChannel(request.channel()) + " → " + request.recipient();
  Report report;
  if (int code = StartReport(ctx, &report); code != 0) return code;
  v1::SendTestResponse response;
  grpc::Status status;
  {
    Spinner spinner(ctx.output == "human" && isatty(STDERR_FILENO), "sending a test message");
    status = ctx.backend->SendTest(request, &response);
  }
  if (!status.ok()) {
    report.file.Abandon();
    const int code = RpcError(status, *ctx.backend);
    std::cerr << "  request id: " << request.request_id()
              << " (reuse it with --request-id to retry without sending twice)\n";
    return code;
  }
  std::cout << (ctx.output == "json" ? ToJson(response)
                                     : RenderSendTest(response, header, ctx.style));
  const int code = !response.accepted() ? 2 : response.verdict() == v1::VERDICT_WARN ? 1 : 0;
  if (!report.wanted) return code;
  std::cout.flush();
  report.context.egress_ips = EgressIps(ctx);
  return FinishReport(&report, channelverify::RenderReport(request, response, report.context),
                      code);
}

int Diagnoses(Context& ctx) {
  v1::ListDiagnosesRequest request;
  request.set_language_code(ctx.lang);
  v1::ListDiagnosesResponse response;
  if (grpc::Status s = ctx.backend->ListDiagnoses(request, &response); !s.ok()) {
    return RpcError(s, *ctx.backend);
  }
  if (!ctx.args.positional.empty()) {
    const auto entries = FindCatalogEntries(response, ctx.args.positional[0]);
    if (entries.empty()) {
      return UsageError("unknown diagnosis code or case \"" + ctx.args.positional[0] +
                            "\" ('channelctl diagnoses' lists them)",
                        ctx.args.command);
    }
    v1::ListDiagnosesResponse subset;
    for (const auto& e : entries) *subset.add_entries() = e;
    response = std::move(subset);
  }
  if (ctx.output == "json") {
    std::cout << ToJson(response);
  } else if (ctx.output == "markdown") {
    std::cout << RenderCatalogMarkdown(response);
  } else if (ctx.args.positional.empty()) {
    std::cout << RenderCatalogList(response, ctx.style);
  } else {
    std::vector<v1::CatalogEntry> entries(response.entries().begin(), response.entries().end());
    std::cout << RenderCatalogEntries(entries, ctx.style);
  }
  return 0;
}

int Health(Context& ctx) {
  std::string serving;
  if (grpc::Status s = ctx.backend->Health(ctx.args.Get("service"), &serving); !s.ok()) {
    return RpcError(s, *ctx.backend);
  }
  if (ctx.output == "json") {
    std::cout << "{\n  \"status\": \"" << serving << "\"\n}\n";
  } else {
    std::cout << serving << "\n";
  }
  return serving == "SERVING" ? 0 : 2;
}

// gRPC's own log lines ("E1127 ... Handshake failed ...") say in its terms what channelctl says
// in the flags' terms; setting GRPC_VERBOSITY brings them back for debugging.
void QuietGrpcLog(gpr_log_func_args*) {}

int Main(int argc, char** argv) {
  if (std::getenv("GRPC_VERBOSITY") == nullptr) gpr_set_log_function(QuietGrpcLog);
  std::vector<std::string> raw(argv + 1, argv + argc);
  std::string error;
  const CommandDef* error_command = nullptr;
  auto parsed = Parse(raw, &error, &error_command);
  if (!parsed) return UsageError(error, error_command);
  Context ctx;
  ctx.args = std::move(*parsed);
  const Args& args = ctx.args;
  if (args.help) {
    std::cout << (args.command ? CommandHelp(*args.command) : MainHelp());
    return 0;
  }

  ctx.output = args.Get("output", "human");
  const bool markdown_ok = args.command->name == "diagnoses";
  if (ctx.output != "human" && ctx.output != "json" && !(ctx.output == "markdown" && markdown_ok)) {
    return UsageError(
        std::string("--output must be human or json") + (markdown_ok ? " or markdown" : ""),
        args.command);
  }
  ctx.lang = args.Get("lang", "en");
  if (ctx.lang != "en" && ctx.lang != "de") {
    return UsageError("--lang must be en or de", args.command);
  }
  bool color_ok = true;
  ctx.style.color = UseColor(args, &color_ok) && ctx.output == "human";
  if (!color_ok) return UsageError("--color must be auto, always or never", args.command);
  ctx.style.timing = !args.Has("no-timing");
  ctx.style.german = ctx.lang == "de";
  ctx.style.timeline = args.Has("timeline");
  if (ctx.style.timeline && ctx.output != "human") {
    return UsageError(
        "--timeline draws on the terminal; it does not go with --output " + ctx.output,
        args.command);
  }
  // Block characters need a UTF-8 terminal; the C locale (no LANG at all) is ASCII.
  ctx.style.ascii = args.Has("ascii") || !LocaleIsUtf8(Locale());

  long long timeout_ms = 30000;
  if (args.Has("timeout")) {
    auto ms = ParseDurationMs(args.Get("timeout"));
    if (!ms) return UsageError("--timeout must be a duration like 30s, 1500ms or 2m", args.command);
    timeout_ms = *ms;
  }

  grpc::Status status;
  const auto engine = EngineOptionsGiven(args);
  if (args.Has("local")) {
    for (const char* flag :
         {"server", "tls", "ca-file", "cert-file", "key-file", "tls-server-name"}) {
      if (args.Has(flag)) {
        return UsageError(std::string("--") + flag +
                              " talks to a server; it makes no sense "
                              "with --local",
                          args.command);
      }
    }
    LocalOptions local;
    local.engine = engine;
    local.timeout = std::chrono::milliseconds(timeout_ms);
    ctx.backend = MakeLocalBackend(local, &status);
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    ctx.made_by = std::string("channelctl --local on ") + host;
    // The engine quotes --egress-ips in its texts; only when given are they this machine's.
    ctx.egress_unknown = !args.Has("egress-ips");
  } else {
    if (!engine.empty()) {
      return UsageError("--" + Dashed(engine.begin()->first) +
                            " configures the local engine: use it with --local (a server "
                            "has its own flags)",
                        args.command);
    }
    channelverify::ClientOptions client;
    if (std::string error = ServerOptions(args, &client); !error.empty()) {
      return UsageError(error, args.command);
    }
    client.timeout = std::chrono::milliseconds(timeout_ms);
    // A person is waiting: ride out a blip (0.25 s + 0.5 s), but say "down" within a second
    // rather than after the library's default of five attempts.
    client.retry.max_attempts = 3;
    ctx.backend = MakeRemoteBackend(client, &status);
    ctx.made_by = "channel-verifier at " + client.target;
    ctx.egress_unknown = false;
  }
  if (!status.ok()) return UsageError(status.error_message(), args.command);

  const std::string_view name = args.command->name;
  if (name == "verify") return Verify(ctx);
  if (name == "send-test") return SendTest(ctx);
  if (name == "diagnoses") return Diagnoses(ctx);
  return Health(ctx);
}

}  // namespace
}  // namespace channelctl

int main(int argc, char** argv) { return channelctl::Main(argc, argv); }
