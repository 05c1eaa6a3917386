// Smoke tests for the test peers themselves: each starts, speaks the protocol it promises and
// stops, so a broken peer shows up here and not as a puzzling failure in a service test.
#include "support/peers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "support/process.h"

namespace cv::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// A blocking line-oriented client, plaintext or TLS: just enough SMTP to poke a peer.
class Client {
 public:
  Client(const std::string& host, int port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval tv{5, 0};  // no test may hang on a mute peer
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~Client() {
    if (ssl_) SSL_free(ssl_);
    if (ctx_) SSL_CTX_free(ctx_);
    close(fd_);
  }

  bool connected() const { return connected_; }

  // True if the peer sends something (or closes) within `timeout`.
  bool Readable(absl::Duration timeout) {
    if (!buffer_.empty()) return true;
    pollfd p{fd_, POLLIN, 0};
    return poll(&p, 1, absl::ToInt64Milliseconds(timeout)) > 0;
  }

  // One whole reply, all its lines joined with '\n'; empty on EOF or timeout.
  std::string Reply() {
    std::string reply;
    while (true) {
      std::string line = Line();
      if (line.empty()) return reply;
      absl::StrAppend(&reply, reply.empty() ? "" : "\n", line);
      if (line.size() < 4 || line[3] != '-') return reply;
    }
  }

  std::string Command(const std::string& line) {
    Send(line);
    return Reply();
  }

  void Send(const std::string& line) {
    std::string data = line + "\r\n";
    if (ssl_) {
      SSL_write(ssl_, data.data(), data.size());
    } else {
      (void)!write(fd_, data.data(), data.size());
    }
  }

  // Handshake verifying the peer against `ca` for `name`; returns "" or the error.
  std::string StartTls(const std::filesystem::path& ca, const std::string& name) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(ctx_, ca.c_str(), nullptr);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    ssl_ = SSL_new(ctx_);
    SSL_set_tlsext_host_name(ssl_, name.c_str());
    SSL_set1_host(ssl_, name.c_str());
    SSL_set_fd(ssl_, fd_);
    if (SSL_connect(ssl_) != 1) {
      char err[256];
      ERR_error_string_n(ERR_get_error(), err, sizeof(err));
      return absl::StrCat(err, " verify=", SSL_get_verify_result(ssl_));
    }
    return "";
  }

 private:
  std::string Line() {
    while (true) {
      size_t nl = buffer_.find("\r\n");
      if (nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 2);
        return line;
      }
      char buf[4096];
      int n = ssl_ ? SSL_read(ssl_, buf, sizeof(buf)) : read(fd_, buf, sizeof(buf));
      if (n <= 0) return "";
      buffer_.append(buf, n);
    }
  }

  int fd_ = -1;
  bool connected_ = false;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string buffer_;
};

std::string Base64(const std::string& s) { return absl::Base64Escape(s); }

class PeersTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<TestCa> ca = TestCa::Create();
    ASSERT_TRUE(ca.ok()) << ca.status();
    ca_ = new TestCa(*std::move(ca));
  }
  static void TearDownTestSuite() {
    delete ca_;
    ca_ = nullptr;
  }
  static TestCa* ca_;
};
TestCa* PeersTest::ca_ = nullptr;

TEST_F(PeersTest, TestCaCertificatesVerifyAsIntended) {
  auto verify = [](const CertKey& c) {
    return RunCommand({"/usr/bin/openssl", "verify", "-CAfile", ca_->ca().string(),
                       "-verify_hostname", "smtp.office365.com", c.cert.string()});
  };
  EXPECT_TRUE(verify(ca_->valid()).ok()) << verify(ca_->valid()).status();
  EXPECT_FALSE(verify(ca_->expired()).ok());
  EXPECT_FALSE(verify(ca_->wrong_host()).ok());
  EXPECT_FALSE(verify(ca_->self_signed()).ok());
}

TEST_F(PeersTest, AiosmtpdStartTlsAuthAndRecording) {
  SmtpPeerOptions options;
  options.tls = SmtpTls::kStartTls;
  options.cert = ca_->valid();
  options.require_starttls = true;
  options.users = {{"alice", "s3cret"}};
  options.auth_fail_reply = "535-5.7.8 first line\n535 5.7.8 second line";
  absl::StatusOr<SmtpPeer> peer = SmtpPeer::Start(options);
  ASSERT_TRUE(peer.ok()) << peer.status();

  Client c(peer->host(), peer->port());
  ASSERT_TRUE(c.connected());
  EXPECT_THAT(c.Reply(), StartsWith("220 "));
  EXPECT_THAT(c.Command("EHLO client.test"), HasSubstr("250-STARTTLS"));
  ASSERT_THAT(c.Command("STARTTLS"), StartsWith("220"));
  ASSERT_EQ(c.StartTls(ca_->ca(), "localhost"), "");
  EXPECT_THAT(c.Command("EHLO client.test"), HasSubstr("AUTH LOGIN PLAIN"));
  EXPECT_EQ(c.Command("AUTH PLAIN " + Base64(std::string("\0alice\0wrong", 12))),
            "535-5.7.8 first line\n535 5.7.8 second line");
  EXPECT_THAT(c.Command("AUTH PLAIN " + Base64(std::string("\0alice\0s3cret", 13))),
              StartsWith("235"));
  EXPECT_THAT(c.Command("MAIL FROM:<alice@t.test>"), StartsWith("250"));
  EXPECT_THAT(c.Command("RCPT TO:<bob@t.test>"), StartsWith("250"));
  EXPECT_THAT(c.Command("DATA"), StartsWith("354"));
  c.Send("Subject: hi\r\n\r\n..leading dot\r\n.");
  EXPECT_THAT(c.Reply(), StartsWith("250"));
  c.Command("QUIT");

  absl::StatusOr<std::vector<ReceivedMessage>> got = peer->WaitForMessages(1);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ((*got)[0].mail_from, "alice@t.test");
  EXPECT_EQ((*got)[0].rcpt_to, std::vector<std::string>{"bob@t.test"});
  EXPECT_EQ((*got)[0].auth_user, "alice");
  EXPECT_TRUE((*got)[0].tls);
  EXPECT_EQ((*got)[0].data, "Subject: hi\r\n\r\n.leading dot\r\n");
}

TEST_F(PeersTest, AiosmtpdImplicitTlsAdvertisesAuth) {
  SmtpPeerOptions options;
  options.tls = SmtpTls::kImplicit;
  options.cert = ca_->valid();
  options.users = {{"alice", "s3cret"}};
  options.bind = "127.0.0.2";
  absl::StatusOr<SmtpPeer> peer = SmtpPeer::Start(options);
  ASSERT_TRUE(peer.ok()) << peer.status();
  Client c(peer->host(), peer->port());
  ASSERT_EQ(c.StartTls(ca_->ca(), "127.0.0.2"), "");
  EXPECT_THAT(c.Reply(), StartsWith("220 "));
  EXPECT_THAT(c.Command("EHLO client.test"), HasSubstr("AUTH"));
}

TEST_F(PeersTest, SilentListenerNeverSpeaks) {
  absl::StatusOr<SmtpPeer> peer = SmtpPeer::StartSilent("127.0.0.3");
  ASSERT_TRUE(peer.ok()) << peer.status();
  Client c(peer->host(), peer->port());
  ASSERT_TRUE(c.connected());
  EXPECT_FALSE(c.Readable(absl::Milliseconds(300)));
}

TEST_F(PeersTest, M365ProfileSpeaksLikeExchangeOnline) {
  absl::StatusOr<SmtpPeer> peer = SmtpPeer::StartProfile("m365-smtp-auth-disabled-tenant", ca_);
  ASSERT_TRUE(peer.ok()) << peer.status();
  Client c(peer->host(), peer->port());
  EXPECT_THAT(c.Reply(), StartsWith("220 MN2PR05CA0004.outlook.office365.com Microsoft ESMTP "
                                    "MAIL Service ready at "));
  std::string ehlo = c.Command("EHLO client.test");
  EXPECT_THAT(ehlo, HasSubstr("250-SIZE 157286400"));
  EXPECT_THAT(ehlo, HasSubstr("250-STARTTLS"));
  EXPECT_THAT(ehlo, ::testing::Not(HasSubstr("AUTH")));
  ASSERT_THAT(c.Command("STARTTLS"), StartsWith("220 2.0.0"));
  ASSERT_EQ(c.StartTls(ca_->ca(), "smtp.office365.com"), "");
  EXPECT_THAT(c.Command("EHLO client.test"), HasSubstr("250-AUTH LOGIN XOAUTH2"));
  EXPECT_EQ(c.Command("AUTH LOGIN"), "334 VXNlcm5hbWU6");
  EXPECT_EQ(c.Command(Base64("user@contoso.test")), "334 UGFzc3dvcmQ6");
  std::string reply = c.Command(Base64("pw"));
  EXPECT_THAT(reply, StartsWith("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication "
                                "is disabled for the Tenant."));
  EXPECT_THAT(reply, HasSubstr("[MN2PR05CA0004.namprd05.prod.outlook.com 20"));
  ASSERT_EQ(peer->Transcripts().size(), 1u);
  EXPECT_THAT(peer->Transcripts()[0], HasSubstr("C: AUTH LOGIN"));
}

TEST_F(PeersTest, GmailProfileSendsXoauth2ChallengeThenMultilineReply) {
  absl::StatusOr<SmtpPeer> peer = SmtpPeer::StartProfile("gmail-xoauth2-bad-token", ca_);
  ASSERT_TRUE(peer.ok()) << peer.status();
  Client c(peer->host(), peer->port());
  EXPECT_THAT(c.Reply(), StartsWith("220 smtp.gmail.com ESMTP "));
  c.Command("EHLO client.test");
  EXPECT_THAT(c.Command("AUTH PLAIN AGEAYg=="), StartsWith("530 5.7.0 Must issue a STARTTLS"));
  c.Command("STARTTLS");
  ASSERT_EQ(c.StartTls(ca_->ca(), "smtp.gmail.com"), "");
  EXPECT_THAT(c.Command("EHLO client.test"),
              HasSubstr("AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH"));
  std::string challenge =
      c.Command("AUTH XOAUTH2 " + Base64("user=a@gmail.test\001auth=Bearer tok\001\001"));
  ASSERT_THAT(challenge, StartsWith("334 "));
  std::string json;
  ASSERT_TRUE(absl::Base64Unescape(challenge.substr(4), &json));
  EXPECT_THAT(json, HasSubstr(R"("schemes":"Bearer")"));
  std::string reply = c.Command("");
  EXPECT_THAT(reply, StartsWith("535-5.7.8 Username and Password not accepted."));
  EXPECT_THAT(reply, HasSubstr("\n535 5.7.8  https://support.google.com/mail/?p=BadCredentials"));
  EXPECT_THAT(reply, ::testing::EndsWith(" - gsmtp"));
}

TEST_F(PeersTest, ScriptedDelayDoesNotHoldUpOtherConnections) {
  constexpr int kDelayMs = 1000;
  SmtpPeerOptions options;
  options.profile = "generic-ok";
  options.delay_ms = kDelayMs;
  absl::StatusOr<SmtpPeer> peer = SmtpPeer::Start(options);
  ASSERT_TRUE(peer.ok()) << peer.status();
  absl::Time start = absl::Now();
  std::vector<std::thread> threads;
  std::vector<std::string> greetings(3);
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&, i] {
      Client c(peer->host(), peer->port());
      greetings[i] = c.Reply();
    });
  }
  for (auto& t : threads) t.join();
  absl::Duration took = absl::Now() - start;
  for (const auto& g : greetings) EXPECT_THAT(g, StartsWith("220 "));
  // Each greeting waits one delay. One after another, the three cannot take less than three
  // delays, however fast the machine; in parallel they take one, and the two delays between
  // are margin enough for a loaded machine.
  EXPECT_GE(took, absl::Milliseconds(kDelayMs - 10));
  EXPECT_LT(took, absl::Milliseconds(3 * kDelayMs));
}

TEST_F(PeersTest, ScriptedFaults) {
  SmtpPeerOptions options;
  options.profile = "generic-ok";
  options.fault = "greeting-554";
  absl::StatusOr<SmtpPeer> rejecting = SmtpPeer::Start(options);
  ASSERT_TRUE(rejecting.ok()) << rejecting.status();
  Client c(rejecting->host(), rejecting->port());
  EXPECT_THAT(c.Reply(), StartsWith("554 "));
  EXPECT_THAT(c.Command("EHLO client.test"), StartsWith("503 "));

  options.fault = "close-after-starttls";
  options.cert = ca_->valid();
  absl::StatusOr<SmtpPeer> closing = SmtpPeer::Start(options);
  ASSERT_TRUE(closing.ok()) << closing.status();
  Client d(closing->host(), closing->port());
  d.Reply();
  d.Command("EHLO client.test");
  EXPECT_THAT(d.Command("STARTTLS"), StartsWith("220 "));
  EXPECT_EQ(d.Reply(), "");  // closed instead of a handshake
}

TEST_F(PeersTest, PostfixOffersStartTlsAuthenticatesAndDelivers) {
  absl::StatusOr<PostfixPeer> postfix = PostfixPeer::Start(*ca_);
  ASSERT_TRUE(postfix.ok()) << postfix.status();
  // Postfix's master waits for a configuration younger than a few seconds to "settle" (about
  // 2.5 s a start); the peer back-dates its files so that it does not. Checked on the files,
  // since a clock around the start would need a bound that load can break.
  for (const char* name : {"main.cf", "master.cf"}) {
    const auto written = std::filesystem::last_write_time(postfix->dir() / "etc" / name);
    EXPECT_LT(written, std::filesystem::file_time_type::clock::now() - std::chrono::seconds(5))
        << name << " is not back-dated";
  }

  Client c(postfix->host(), postfix->port());
  EXPECT_THAT(c.Reply(), StartsWith("220 mx.peer.test ESMTP Postfix"));
  std::string ehlo = c.Command("EHLO client.test");
  EXPECT_THAT(ehlo, HasSubstr("250-STARTTLS"));
  EXPECT_THAT(ehlo, ::testing::Not(HasSubstr("AUTH")));  // smtpd_tls_auth_only
  EXPECT_THAT(c.Command("MAIL FROM:<x@elsewhere.test>"), StartsWith("250"));
  EXPECT_THAT(c.Command("RCPT TO:<x@elsewhere.test>"), HasSubstr("Relay access denied"));
  c.Command("RSET");
  ASSERT_THAT(c.Command("STARTTLS"), StartsWith("220"));
  ASSERT_EQ(c.StartTls(ca_->ca(), "127.0.0.1"), "");
  EXPECT_THAT(c.Command("EHLO client.test"), HasSubstr("AUTH PLAIN LOGIN"));
  EXPECT_THAT(
      c.Command("AUTH PLAIN " + Base64(absl::StrCat(std::string(1, '\0'), postfix->user(),
                                                    std::string(1, '\0'), postfix->password()))),
      StartsWith("235"));
  EXPECT_THAT(c.Command("MAIL FROM:<" + postfix->user() + ">"), StartsWith("250"));
  EXPECT_THAT(c.Command("RCPT TO:<bob@sink.test>"), StartsWith("250"));
  EXPECT_THAT(c.Command("DATA"), StartsWith("354"));
  c.Send("Subject: peers smoke test\r\n\r\nhello\r\n.");
  EXPECT_THAT(c.Reply(), StartsWith("250"));
  c.Command("QUIT");

  absl::StatusOr<std::vector<std::string>> got = postfix->WaitForMessages(1);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_THAT((*got)[0], HasSubstr("Subject: peers smoke test"));
  EXPECT_THAT((*got)[0], HasSubstr("Delivered-To: bob@sink.test"));
}

// A minimal DNS query over UDP; returns the raw response.
std::string DnsQuery(const std::string& host, int port, const std::string& name, int type) {
  std::string q("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12);
  for (absl::string_view label : absl::StrSplit(name, '.')) {
    q.push_back(static_cast<char>(label.size()));
    q.append(label.data(), label.size());
  }
  q.push_back('\0');
  q.append({'\0', static_cast<char>(type), '\0', '\1'});
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  timeval tv{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  sendto(fd, q.data(), q.size(), 0, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  char buf[1500];
  ssize_t n = recv(fd, buf, sizeof(buf), 0);
  close(fd);
  return n > 0 ? std::string(buf, n) : "";
}

TEST_F(PeersTest, DnsmasqAnswersRecordsAndNxdomain) {
  DnsPeerOptions options;
  options.Host("smtp.t.test", "127.0.0.5")
      .Cname("alias.t.test", "smtp.t.test")
      .Mx("t.test", "mx1.t.test", 10)
      .Txt("t.test", "v=spf1 -all");
  absl::StatusOr<DnsPeer> dns = DnsPeer::Start(options);
  ASSERT_TRUE(dns.ok()) << dns.status();

  std::string a = DnsQuery(dns->host(), dns->port(), "alias.t.test", 1);
  ASSERT_GE(a.size(), 12u);
  EXPECT_EQ(a[3] & 0x0f, 0);                                      // NOERROR
  EXPECT_THAT(a, HasSubstr(std::string("\x7f\x00\x00\x05", 4)));  // 127.0.0.5 in the answer
  std::string mx = DnsQuery(dns->host(), dns->port(), "t.test", 15);
  EXPECT_THAT(mx, HasSubstr("mx1"));
  std::string none = DnsQuery(dns->host(), dns->port(), "nothing.t.test", 1);
  ASSERT_GE(none.size(), 12u);
  EXPECT_EQ(none[3] & 0x0f, 3);  // NXDOMAIN, not REFUSED
}

TEST(ProcessTest, StopsTheWholeGroupAndReportsEarlyExit) {
  absl::StatusOr<ChildProcess> sh =
      ChildProcess::Start({.argv = {"/bin/sh", "-c", "sleep 30 & echo READY 4242; wait"}});
  ASSERT_TRUE(sh.ok()) << sh.status();
  ASSERT_EQ(sh->WaitReady(absl::Seconds(5)).value_or(0), 4242);
  // SIGTERM to the group ends it, within the grace period after which Stop sends SIGKILL: the
  // status says which signal ended the shell, where a clock would say it only on an idle
  // machine.
  const int status = sh->Stop();
  EXPECT_TRUE(WIFSIGNALED(status)) << status;
  EXPECT_EQ(WTERMSIG(status), SIGTERM) << status;

  int port = 0;
  absl::StatusOr<ChildProcess> dead = ChildProcess::StartAndWaitReady(
      {.argv = {"/bin/sh", "-c", "echo oops; exit 3"}}, &port, absl::Seconds(5));
  ASSERT_FALSE(dead.ok());
  EXPECT_THAT(dead.status().message(), HasSubstr("oops"));
}

}  // namespace
}  // namespace cv::testing
