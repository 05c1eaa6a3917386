// tests/peers/oauth_peer.py on loopback, for the suites of the direct integration: HTTPS
// stand-ins of Google's and Microsoft's token endpoints, Graph, the Gmail and Directory APIs,
// or (OAuthPeerOptions::smtp) an XOAUTH2 submission server. The peer picks its behaviour from
// the token ("rt-<scenario>" / "at-<scenario>"); see the script's docstring.
//
// Typical use, once per suite:
//
//   auto peers = OAuthPeers::Start(*ca);   // HTTPS, XOAUTH2 for Google and for Microsoft
//   ASSERT_TRUE(peers.ok()) << peers.status();
//   auto server = ServerProcess::Start((*peers)->EngineFlags());
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "support/peers.h"
#include "support/process.h"

namespace cv::testing {

// The OAuth client's secret the peer accepts unless told otherwise (tests/test_secrets.txt).
inline constexpr char kOAuthClientSecret[] = "test-client-secret";

struct OAuthPeerOptions {
  // "google" or "microsoft": that provider's XOAUTH2 submission server instead of the APIs.
  std::string smtp;
  std::string client_secret = kOAuthClientSecret;  // what the token endpoints accept
  std::string account;   // what the Gmail profile reports; "" the script's (jobs@example.com)
  int slow_seconds = 0;  // how long the "slow" scenarios hold their answer; 0 the script's
  bool record = false;   // keep every send request (OAuthPeer::Sends)
};

// One send request as the peer kept it (--record): its "key=value" lines (api, path, user,
// scenario, content_type, correlation_id) and the body exactly as received.
struct OAuthSend {
  std::map<std::string, std::string> meta;
  std::string body;
  std::filesystem::path body_path;
};

class OAuthPeer {
 public:
  // A peer serving `cert` on 127.0.0.1 (a free port).
  static absl::StatusOr<OAuthPeer> Start(const CertKey& cert, OAuthPeerOptions options = {});

  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string url() const { return "https://" + address(); }  // the HTTPS mode's base URL
  std::string Log() const { return process_.StderrTail(); }

  // With `record`: every send request received so far, in order of arrival; or those of one
  // SendTest call, the ones whose message carries its correlation id.
  std::vector<OAuthSend> Sends() const;
  std::vector<OAuthSend> Sends(const std::string& correlation_id) const;

 private:
  OAuthPeer(TempDir dir, ChildProcess process, int port)
      : dir_(std::move(dir)), process_(std::move(process)), port_(port) {}
  std::filesystem::path RecordDir() const { return dir_.path() / "sends"; }
  TempDir dir_;
  ChildProcess process_;
  int port_;
};

// What the OAuth suites share: the HTTPS peer, with `smtp` an XOAUTH2 peer per provider as
// well, and the OAuth client's secret in a file; and the engine's settings pointing at them.
struct OAuthPeers {
  // `options` holds for all the peers; only the HTTPS one records.
  static absl::StatusOr<std::unique_ptr<OAuthPeers>> Start(const TestCa& ca,
                                                           OAuthPeerOptions options = {},
                                                           bool smtp = true);

  // The engine's OAuth settings: the server's flags (sep '_') or channelctl's --local ones
  // (sep '-'); loopback allowed, the CA trusted, the clients, every endpoint at the peers.
  std::vector<std::string> EngineFlags(char sep = '_') const;

  std::string ca_file;
  TempDir dir{"cv-oauth-peers-"};
  std::string secret_file;  // holds options.client_secret
  std::optional<OAuthPeer> https;
  std::optional<OAuthPeer> smtp_google;
  std::optional<OAuthPeer> smtp_microsoft;
};

}  // namespace cv::testing
