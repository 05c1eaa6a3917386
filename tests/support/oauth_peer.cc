#include "support/oauth_peer.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "support/server.h"

namespace cv::testing {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

absl::StatusOr<OAuthPeer> OAuthPeer::Start(const CertKey& cert, OAuthPeerOptions options) {
  TempDir dir("cv-oauth-peer-");
  std::vector<std::string> argv = {CV_PYTHON,
                                   "-B",  // no __pycache__ in the source tree
                                   std::string(CV_SOURCE_DIR) + "/tests/peers/oauth_peer.py",
                                   "--cert",
                                   cert.cert.string(),
                                   "--key",
                                   cert.key.string(),
                                   "--client_secret",
                                   options.client_secret};
  auto add = [&argv](const std::string& flag, const std::string& value) {
    argv.push_back(flag);
    argv.push_back(value);
  };
  if (!options.smtp.empty()) add("--smtp", options.smtp);
  if (!options.account.empty()) add("--account", options.account);
  if (options.slow_seconds > 0) add("--slow_seconds", std::to_string(options.slow_seconds));
  if (options.record) {
    const fs::path record = dir.path() / "sends";
    fs::create_directories(record);
    add("--record", record.string());
  }
  int port = 0;
  auto process = ChildProcess::StartAndWaitReady(
      {.argv = std::move(argv), .stderr_path = dir.path() / "stderr.log"}, &port);
  if (!process.ok()) return process.status();
  return OAuthPeer(std::move(dir), std::move(*process), port);
}

std::vector<OAuthSend> OAuthPeer::Sends() const {
  // NNNN-<api>.meta is renamed into place after its body is written: a listed one is whole.
  std::vector<fs::path> metas;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(RecordDir(), ec)) {
    if (entry.path().extension() == ".meta") metas.push_back(entry.path());
  }
  std::sort(metas.begin(), metas.end());
  std::vector<OAuthSend> out;
  for (const auto& meta : metas) {
    OAuthSend send;
    for (absl::string_view line : absl::StrSplit(ReadAll(meta), '\n', absl::SkipEmpty())) {
      const size_t eq = line.find('=');
      send.meta[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
    }
    send.body_path = fs::path(meta).replace_extension(".body");
    send.body = ReadAll(send.body_path);
    out.push_back(std::move(send));
  }
  return out;
}

std::vector<OAuthSend> OAuthPeer::Sends(const std::string& correlation_id) const {
  std::vector<OAuthSend> out;
  for (auto& send : Sends()) {
    if (send.meta["correlation_id"] == correlation_id) out.push_back(std::move(send));
  }
  return out;
}

absl::StatusOr<std::unique_ptr<OAuthPeers>> OAuthPeers::Start(const TestCa& ca,
                                                              OAuthPeerOptions options, bool smtp) {
  auto peers = std::make_unique<OAuthPeers>();
  peers->ca_file = ca.ca().string();
  peers->secret_file = (peers->dir.path() / "client_secret").string();
  std::ofstream(peers->secret_file) << options.client_secret << "\n";
  auto https = OAuthPeer::Start(ca.valid(), options);
  if (!https.ok()) return https.status();
  peers->https.emplace(std::move(*https));
  if (!smtp) return peers;
  options.record = false;
  for (auto [provider, slot] :
       {std::pair{"google", &peers->smtp_google}, std::pair{"microsoft", &peers->smtp_microsoft}}) {
    options.smtp = provider;
    auto peer = OAuthPeer::Start(ca.valid(), options);
    if (!peer.ok()) return peer.status();
    slot->emplace(std::move(*peer));
  }
  return peers;
}

std::vector<std::string> OAuthPeers::EngineFlags(char sep) const {
  const std::string base = https->url();
  std::vector<std::string> flags = {EngineFlag("allow_cidrs", "127.0.0.0/8", sep),
                                    EngineFlag("trusted_ca_file", ca_file, sep),
                                    EngineFlag("google_client_id", "test-google-client", sep),
                                    EngineFlag("google_client_secret_file", secret_file, sep),
                                    EngineFlag("microsoft_client_id", "test-microsoft-client", sep),
                                    EngineFlag("microsoft_client_secret_file", secret_file, sep),
                                    EngineFlag("google_token_url", base + "/token", sep),
                                    EngineFlag("gmail_api_base", base, sep),
                                    EngineFlag("google_directory_api_base", base, sep),
                                    EngineFlag("microsoft_login_base", base, sep),
                                    EngineFlag("microsoft_graph_base", base, sep)};
  if (smtp_google) flags.push_back(EngineFlag("google_smtp_host", smtp_google->address(), sep));
  if (smtp_microsoft) {
    flags.push_back(EngineFlag("microsoft_smtp_host", smtp_microsoft->address(), sep));
  }
  return flags;
}

}  // namespace cv::testing
