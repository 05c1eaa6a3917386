// Real peers on loopback for integration tests: SMTP servers (aiosmtpd, scripted provider
// profiles, a silent listener), Postfix with Dovecot SASL, dnsmasq, and a test CA.
//
// Each peer is a child process group started on a free port and stopped when the object dies.
// They are started from the scripts in tests/peers/ (see the docstrings there for details).
// Typical use:
//
//   absl::StatusOr<TestCa> ca = TestCa::Create();
//   ASSERT_TRUE(ca.ok()) << ca.status();
//   absl::StatusOr<SmtpPeer> m365 = SmtpPeer::StartProfile("m365-smtp-auth-disabled-tenant", &*ca);
//   ASSERT_TRUE(m365.ok()) << m365.status();
//   ... connect to m365->host():m365->port() ...
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "support/process.h"

namespace cv::testing {

// A certificate and its private key (PEM files).
struct CertKey {
  std::filesystem::path cert;
  std::filesystem::path key;
};

// A test CA with server certificates, made by tests/peers/make_certs.sh. The files are shared
// by all tests (a directory in the build tree by default) and made once per name list.
class TestCa {
 public:
  // localhost, 127.0.0.1 ... 127.0.0.9, ::1, *.t.test, t.test and the provider host names
  // (smtp.office365.com, smtp.gmail.com, ...) that tests point at loopback through DnsPeer.
  static std::vector<std::string> DefaultNames();

  // Makes (or reuses) the CA and certificates in `dir` (empty: CV_BINARY_DIR/test-certs).
  static absl::StatusOr<TestCa> Create(std::filesystem::path dir = {},
                                       std::vector<std::string> names = DefaultNames());

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path ca() const { return dir_ / "ca.pem"; }  // trust anchor
  CertKey valid() const { return Pair("valid"); }               // for all the names
  CertKey expired() const { return Pair("expired"); }           // 2020-01-01 .. 2021-01-01
  CertKey wrong_host() const { return Pair("wrong_host"); }     // only wrong-host.invalid
  CertKey self_signed() const { return Pair("self_signed"); }   // for the names, no CA
  const std::vector<std::string>& names() const { return names_; }

 private:
  CertKey Pair(const std::string& stem) const {
    return {dir_ / (stem + ".pem"), dir_ / (stem + ".key")};
  }
  std::filesystem::path dir_;
  std::vector<std::string> names_;
};

enum class SmtpTls { kNone, kStartTls, kImplicit };

struct SmtpPeerOptions {
  std::string bind = "127.0.0.1";  // any 127.x.y.z (or ::1) gives a distinct "host"
  int port = 0;                    // 0: a free one

  // aiosmtpd mode (the default: no profile, script, fault or silent).
  SmtpTls tls = SmtpTls::kNone;  // kImplicit also applies to scripted mode
  std::optional<CertKey> cert;   // needed for STARTTLS/implicit TLS, in either mode
  bool require_starttls = false;
  std::vector<std::pair<std::string, std::string>> users;  // user, password
  std::string auth_fail_reply;  // exact reply to a failed AUTH; lines separated by '\n'
  std::string hostname;         // greeting host name
  std::string tls_max_version;  // "1.0" ... "1.3" (1.0/1.1 lower OpenSSL's security level)

  // Scripted mode: a profile (smtp_peer.py --list-profiles) and/or a JSON script overriding
  // its keys, e.g. R"({"auth": "535 5.7.3 Authentication unsuccessful"})".
  std::string profile;
  std::string script_json;
  // "silent", "greeting-554", "close-after-starttls", "drop-after-data-cmd",
  // "drop-after-data", "reset".
  std::string fault;
  int delay_ms = 0;  // before every reply; other connections are not held up

  bool silent = false;  // accept TCP and never speak (no SMTP at all)
  std::vector<std::string> extra_args;
};

// A message the peer accepted (aiosmtpd or scripted mode).
struct ReceivedMessage {
  std::string mail_from;
  std::vector<std::string> rcpt_to;
  std::string auth_user;  // empty if the session did not authenticate
  bool tls = false;
  std::string peer;  // client IP
  std::string data;  // raw DATA/BDAT content, dot-unstuffed, CRLF line ends as sent
};

class SmtpPeer {
 public:
  static absl::StatusOr<SmtpPeer> Start(SmtpPeerOptions options);
  // A scripted provider profile; with a CA, STARTTLS (and implicit TLS if asked) uses its
  // valid certificate.
  static absl::StatusOr<SmtpPeer> StartProfile(const std::string& profile,
                                               const TestCa* ca = nullptr,
                                               const std::string& bind = "127.0.0.1");
  static absl::StatusOr<SmtpPeer> StartSilent(const std::string& bind = "127.0.0.1");

  const std::string& host() const { return host_; }
  int port() const { return port_; }
  std::filesystem::path maildir() const { return dir_.path() / "mail"; }

  // Messages received so far, in order.
  std::vector<ReceivedMessage> Messages() const;
  // Waits until at least `count` messages arrived; returns them all.
  absl::StatusOr<std::vector<ReceivedMessage>> WaitForMessages(
      size_t count = 1, absl::Duration timeout = absl::Seconds(10)) const;
  // Scripted mode: one transcript per connection ("C: ..." / "S: ..." lines), in order.
  std::vector<std::string> Transcripts() const;
  // Scripted mode: the most connections that were ever open at once.
  int MaxConcurrentConnections() const;
  // The peer's stderr (logs, handshake errors).
  std::string Log() const { return process_.StderrTail(); }

  ChildProcess& process() { return process_; }

 private:
  SmtpPeer(TempDir dir, ChildProcess process, std::string host, int port)
      : dir_(std::move(dir)), process_(std::move(process)), host_(std::move(host)), port_(port) {}
  TempDir dir_;
  ChildProcess process_;
  std::string host_;
  int port_;
};

// "C: AUTH ..." lines in a scripted peer's transcripts: how many AUTH attempts reached it.
size_t AuthAttempts(const SmtpPeer& peer);

struct PostfixPeerOptions {
  std::string bind = "127.0.0.1";
  int port = 0;
  std::string user = "user@sink.test";
  std::string password = "Pf-s3cret-9x";
  std::string hostname = "mx.peer.test";
  std::optional<CertKey> cert;  // default: the CA's valid certificate
};

// Postfix 3.7 + Dovecot 2.3 SASL: STARTTLS, AUTH PLAIN/LOGIN only after STARTTLS, relay only
// for authenticated clients. Mail to *@sink.test lands in maildir(); other domains are
// accepted and discarded. A wrong password answers "535 5.7.8 Error: authentication failed:
// ..." after ~0.5 s (Dovecot's failure timer).
class PostfixPeer {
 public:
  static absl::StatusOr<PostfixPeer> Start(const TestCa& ca, PostfixPeerOptions options = {});

  const std::string& host() const { return options_.bind; }
  int port() const { return port_; }
  const std::string& user() const { return options_.user; }
  const std::string& password() const { return options_.password; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  std::filesystem::path maildir() const { return dir_.path() / "sink" / "all"; }
  std::filesystem::path maillog() const { return dir_.path() / "log" / "maillog"; }

  // Delivered messages (as Postfix stored them, with its Received/Return-Path headers).
  std::vector<std::string> Messages() const;
  absl::StatusOr<std::vector<std::string>> WaitForMessages(
      size_t count = 1, absl::Duration timeout = absl::Seconds(10)) const;

 private:
  PostfixPeer(TempDir dir, ChildProcess process, PostfixPeerOptions options, int port)
      : dir_(std::move(dir)),
        process_(std::move(process)),
        options_(std::move(options)),
        port_(port) {}
  TempDir dir_;
  ChildProcess process_;
  PostfixPeerOptions options_;
  int port_;
};

// Records for DnsPeer, in dnsmasq's terms. Names it does not know are NXDOMAIN.
struct DnsPeerOptions {
  std::string bind = "127.0.0.1";
  int port = 0;
  std::vector<std::string> hosts;   // "name,ip[,ip...]" (A and AAAA)
  std::vector<std::string> cnames;  // "alias,target"
  std::vector<std::string> mx;      // "domain,host,preference"
  std::vector<std::string> txt;     // "name,text"
  std::vector<std::string> extra_dnsmasq_args;

  DnsPeerOptions& Host(const std::string& name, const std::string& ip) {
    hosts.push_back(name + "," + ip);
    return *this;
  }
  DnsPeerOptions& Cname(const std::string& alias, const std::string& target) {
    cnames.push_back(alias + "," + target);
    return *this;
  }
  DnsPeerOptions& Mx(const std::string& domain, const std::string& host, int preference) {
    mx.push_back(domain + "," + host + "," + std::to_string(preference));
    return *this;
  }
  DnsPeerOptions& Txt(const std::string& name, const std::string& text) {
    txt.push_back(name + "," + text);
    return *this;
  }
};

// dnsmasq answering UDP and TCP on host():port().
class DnsPeer {
 public:
  static absl::StatusOr<DnsPeer> Start(DnsPeerOptions options);

  const std::string& host() const { return host_; }
  int port() const { return port_; }
  std::string Log() const { return process_.StderrTail(); }

 private:
  DnsPeer(TempDir dir, ChildProcess process, std::string host, int port)
      : dir_(std::move(dir)), process_(std::move(process)), host_(std::move(host)), port_(port) {}
  TempDir dir_;
  ChildProcess process_;
  std::string host_;
  int port_;
};

}  // namespace cv::testing
