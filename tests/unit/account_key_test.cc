#include "rpc/account_key.h"

#include <gtest/gtest.h>

#include "rpc/auth_gate.h"
#include "state/keyring.h"
#include "state/redis_client.h"

namespace cv::rpc {
namespace {

TEST(AccountKeyTest, EverySpellingOfOneMailboxIsOneAccount) {
  const std::string key = AccountKey("smtp.example.test", "case@example.test");
  for (const char* user :
       {"Case@example.test", "CASE@EXAMPLE.TEST", " case@example.test", "case@example.test\t",
        "\u3000case@example.test", "\uff43\uff41\uff53\uff45@example.test"}) {
    EXPECT_EQ(AccountKey("smtp.example.test", user), key) << user;
  }
  for (const char* host : {"SMTP.Example.Test", "smtp.example.test.", " smtp.example.test "}) {
    EXPECT_EQ(AccountKey(host, "case@example.test"), key) << host;
  }
  EXPECT_EQ(key, "smtp.example.test/case@example.test");
  // Case folding is Unicode's, not ASCII's: German sharp s folds to "ss".
  EXPECT_EQ(CanonicalUsername("Stra\u00dfe@example.test"), "strasse@example.test");
}

TEST(AccountKeyTest, ProviderHostsAreOneServer) {
  for (const char* host : {"smtp.office365.com", "outlook.office365.com", "smtp-mail.outlook.com",
                           "SMTP.Office365.com."}) {
    EXPECT_EQ(ServerIdentity(host), "microsoft") << host;
  }
  for (const char* host : {"smtp.gmail.com", "smtp.googlemail.com", "smtp-relay.gmail.com"}) {
    EXPECT_EQ(ServerIdentity(host), "google") << host;
  }
  EXPECT_NE(ServerIdentity("smtp.example.test"), ServerIdentity("mail.example.test"));
}

TEST(AccountKeyTest, IpLiteralsInCanonicalForm) {
  EXPECT_EQ(ServerIdentity("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(ServerIdentity("[::1]"), "::1");
  EXPECT_EQ(ServerIdentity("0:0:0:0:0:0:0:1"), "::1");
  EXPECT_EQ(ServerIdentity("::ffff:127.0.0.1"), "127.0.0.1");
}

TEST(KeyringTest, MacsAreKeyedAndUnambiguous) {
  const auto a = state::Keyring::Random();
  const auto b = state::Keyring::Random();
  EXPECT_EQ(a.Mac("password", {"acct", "pw"}), a.Mac("password", {"acct", "pw"}));
  EXPECT_NE(a.Mac("password", {"acct", "pw"}), b.Mac("password", {"acct", "pw"}));
  // Length-prefixed parts: moving a byte between parts changes the digest.
  EXPECT_NE(a.Mac("password", {"acct", "pw"}), a.Mac("password", {"acctp", "w"}));
  EXPECT_NE(a.Mac("password", {"x"}), a.Mac("account", {"x"}));
  EXPECT_EQ(a.Mac("account", {"x"}, 32).size(), 32u);
  EXPECT_EQ(a.Mac("account", {"x"}).size(), 64u);
}

TEST(RejectionRecordTest, RoundTripsTheDiagnosis) {
  verify::AuthReport report;
  report.code = channelverify::v1::DIAGNOSIS_CODE_M365_SMTP_AUTH_DISABLED;
  report.variant = "tenant";
  report.reply = "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled";
  diagnosis::Finding finding;
  ASSERT_TRUE(DecodeRejection(EncodeRejection(report), &finding));
  EXPECT_EQ(finding.code, report.code);
  EXPECT_EQ(finding.variant, "tenant");
  ASSERT_EQ(finding.evidence.size(), 1u);
  EXPECT_EQ(finding.evidence[0], "AUTH: " + report.reply);
  diagnosis::Finding bad;
  EXPECT_FALSE(DecodeRejection("not a record", &bad));
  EXPECT_FALSE(DecodeRejection("99999||x", &bad));
}

TEST(RedisUrlTest, ParsesWhatTheFlagTakes) {
  auto plain = state::ParseRedisUrl("redis://redis.cv.svc:6380/2");
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->host, "redis.cv.svc");
  EXPECT_EQ(plain->port, 6380);
  EXPECT_EQ(plain->db, 2);
  EXPECT_FALSE(plain->tls);
  auto tls = state::ParseRedisUrl("rediss://[::1]");
  ASSERT_TRUE(tls.ok()) << tls.status();
  EXPECT_EQ(tls->host, "::1");
  EXPECT_EQ(tls->port, 6379);
  EXPECT_TRUE(tls->tls);
  EXPECT_FALSE(state::ParseRedisUrl("redis://:secret@host:6379").ok());
  EXPECT_FALSE(state::ParseRedisUrl("http://host").ok());
  EXPECT_FALSE(state::ParseRedisUrl("redis://host:99999").ok());
  EXPECT_FALSE(state::ParseRedisUrl("redis://host/x").ok());
}

}  // namespace
}  // namespace cv::rpc
