// The server's command line as deployments use it (the Helm chart's flagfile, the Dockerfile,
// scripts): every flag it has taken keeps its name, type and default.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "rpc/server_options.h"
#include "support/process.h"

namespace cv::testing {
namespace {

// What the server prints for `flags`, exiting by itself.
std::string ServerOutput(std::vector<std::string> flags) {
  ChildProcess::Options options;
  options.argv = {std::string(CV_BINARY_DIR) + "/service/channel-verifier"};
  options.argv.insert(options.argv.end(), flags.begin(), flags.end());
  auto process = ChildProcess::Start(options);
  if (!process.ok()) return "";
  // Until stdout closes: on a loaded machine the child can exit before its output is read.
  return process->CollectOutput(absl::Seconds(30));
}

// absl's --helpfull prints each flag as `--name (help); default: VALUE;`, strings quoted, on
// lines of its own indented by four spaces (continuation lines by six).
std::string HelpFull() { return ServerOutput({"--helpfull"}); }

// The flags of the server before its options became one table, with absl's rendering of their
// defaults: a flag dropped, renamed, retyped or given another default fails here.
constexpr std::pair<const char*, const char*> kFlags[] = {
    {"allow_cidrs", "\"\""},
    {"allow_core_dumps", "false"},
    {"allow_plaintext_auth_cidrs", "\"\""},
    {"auth_failure_window_s", "900"},
    {"auth_failures_per_window", "3"},
    {"caller_identity_header", "\"\""},
    {"cert_expiry_warning_days", "14"},
    {"client_ca_file", "\"\""},
    {"command_timeout_ms", "10000"},
    {"connect_timeout_ms", "5000"},
    {"default_deadline_ms", "30000"},
    {"dns_servers", "\"\""},
    {"dns_timeout_ms", "5000"},
    {"egress_ips", "\"3.121.59.239,3.65.146.216,18.158.122.164\""},
    {"ehlo_name", "\"\""},
    {"gmail_api_base", "\"https://gmail.googleapis.com\""},
    {"google_client_id", "\"\""},
    {"google_client_secret_file", "\"\""},
    {"google_directory_api_base", "\"https://admin.googleapis.com\""},
    {"google_smtp_host", "\"smtp.gmail.com:587\""},
    {"google_token_url", "\"https://oauth2.googleapis.com/token\""},
    {"greeting_timeout_ms", "10000"},
    {"health_listen", "\"\""},
    {"https_ports", "\"443\""},
    {"io_threads", "0"},
    {"listen", "\"0.0.0.0:50051\""},
    {"log_level", "\"info\""},
    {"max_addresses_per_name", "8"},
    {"max_concurrent_streams", "10000"},
    {"max_connection_age_s", "1800"},
    {"max_deadline_ms", "120000"},
    {"max_in_flight", "20000"},
    {"max_in_flight_per_caller", "0"},
    {"max_in_flight_per_host", "50"},
    {"max_receive_message_bytes", "65536"},
    {"metrics_listen", "\"\""},
    {"microsoft_client_id", "\"\""},
    {"microsoft_client_secret_file", "\"\""},
    {"microsoft_graph_base", "\"https://graph.microsoft.com\""},
    {"microsoft_login_base", "\"https://login.microsoftonline.com\""},
    {"microsoft_smtp_host", "\"smtp.office365.com:587\""},
    {"min_ping_interval_s", "60"},
    {"send_dedup_max_entries", "100000"},
    {"send_dedup_window_s", "600"},
    {"send_quota_per_caller_per_hour", "200"},
    {"send_quota_per_channel_per_hour", "20"},
    {"send_quota_per_recipient_per_hour", "10"},
    {"send_quota_window_s", "3600"},
    {"shutdown_delay_ms", "0"},
    {"shutdown_grace_ms", "25000"},
    {"smtp_ports", "\"25,465,587,2525\""},
    {"state_key_file", "\"\""},
    {"state_store", "\"memory\""},
    {"state_store_ca_file", "\"\""},
    {"state_store_key_prefix", "\"cv:\""},
    {"state_store_password_file", "\"\""},
    {"state_store_timeout_ms", "500"},
    {"tls_cert_file", "\"\""},
    {"tls_key_file", "\"\""},
    {"tls_reload_interval_s", "60"},
    {"tls_timeout_ms", "10000"},
    {"trusted_ca_file", "\"\""},
};

TEST(ServerFlags, EveryFlagKeepsItsNameTypeAndDefault) {
  const std::string help = HelpFull();
  ASSERT_FALSE(help.empty());
  for (const auto& [name, default_value] : kFlags) {
    const std::string start = std::string("\n    --") + name + " (";
    const size_t at = help.find(start);
    ASSERT_NE(at, std::string::npos) << "--" << name << " is gone";
    // The entry ends where the next flag's or the section's does.
    const size_t end =
        std::min(help.find("\n    --", at + start.size()), help.find("\n\n", at + start.size()));
    const std::string entry =
        std::regex_replace(help.substr(at, end == std::string::npos ? std::string::npos : end - at),
                           std::regex("\\s+"), " ");
    EXPECT_THAT(entry, ::testing::EndsWith(std::string("; default: ") + default_value + ";"))
        << "--" << name;
  }
}

// --help lists every option of the tables under its group's heading.
TEST(ServerFlags, HelpListsEveryOptionUnderItsGroup) {
  const std::string help = ServerOutput({"--help"});
  for (const OptionSpec& o : rpc::AllServerOptions()) {
    // A group's section runs from its heading to the next blank line.
    const size_t heading = help.find("\n" + std::string(o.group) + ":\n");
    ASSERT_NE(heading, std::string::npos) << o.group;
    const size_t end = help.find("\n\n", heading + 1);
    const size_t at = help.find("\n  --" + std::string(o.name), heading);
    EXPECT_LT(at, end) << "--" << o.name << " is not under " << o.group;
  }
}

// README "Configuration" is the generated table: editing an option without regenerating fails
// here, as the diagnosis table does in channelctl_test.cc.
TEST(ServerFlags, ReadmeConfigurationMatchesTheOptionTables) {
  const std::string generated = ServerOutput({"--help=markdown"});
  ASSERT_FALSE(generated.empty());
  std::ifstream in(std::string(CV_SOURCE_DIR) + "/README.md");
  std::stringstream readme;
  readme << in.rdbuf();
  const std::string text = readme.str();
  const std::string begin = "<!-- BEGIN options: channel-verifier --help=markdown -->\n";
  const std::string end = "<!-- END options -->";
  const size_t b = text.find(begin), e = text.find(end);
  ASSERT_NE(b, std::string::npos) << "README.md lacks the marker " << begin;
  ASSERT_NE(e, std::string::npos) << "README.md lacks the marker " << end;
  ASSERT_LT(b, e);
  EXPECT_EQ(text.substr(b + begin.size(), e - b - begin.size()), generated)
      << "README.md's configuration table is stale: replace it with the output of "
         "`channel-verifier --help=markdown`";
}

}  // namespace
}  // namespace cv::testing
