#include "rpc/account_key.h"

#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "diagnosis/rejection_record.h"
#include "rpc/auth_gate.h"
#include "rpc/caller.h"
#include "rpc/host_aliases.h"
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
  probe::AuthReport report;
  report.code = channelverify::v1::DIAGNOSIS_CODE_M365_SMTP_AUTH_DISABLED;
  report.variant = "tenant";
  report.reply = "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled";
  diagnosis::Finding finding;
  ASSERT_TRUE(diagnosis::DecodeRejection(
      diagnosis::EncodeRejection(report.code, report.variant, report.reply), &finding));
  EXPECT_EQ(finding.code, report.code);
  EXPECT_EQ(finding.variant, "tenant");
  ASSERT_EQ(finding.evidence.size(), 1u);
  EXPECT_EQ(finding.evidence[0], "AUTH: " + report.reply);
  diagnosis::Finding bad;
  EXPECT_FALSE(diagnosis::DecodeRejection("not a record", &bad));
  EXPECT_FALSE(diagnosis::DecodeRejection("99999||x", &bad));
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

TEST(HostAliasesTest, AnIpLiteralCountsAsTheNameItResolvedFrom) {
  HostAliases aliases(/*max_entries=*/2, std::chrono::minutes(60));
  const auto t0 = HostAliases::Clock::now();
  EXPECT_EQ(aliases.Canonical("127.0.0.9", t0), "127.0.0.9");
  aliases.Learn(ServerIdentity("SMTP.Example.Test."), {"127.0.0.9", "::ffff:127.0.0.8"}, t0);
  EXPECT_EQ(aliases.Canonical(ServerIdentity("127.0.0.9"), t0), "smtp.example.test");
  EXPECT_EQ(aliases.Canonical(ServerIdentity("::ffff:127.0.0.8"), t0), "smtp.example.test");
  aliases.Learn("microsoft", {"127.0.0.7"}, t0);  // bounded: the oldest goes
  EXPECT_EQ(aliases.Canonical("127.0.0.7", t0), "microsoft");
  EXPECT_EQ(aliases.Canonical("127.0.0.9", t0), "127.0.0.9");
  EXPECT_EQ(aliases.Canonical("127.0.0.7", t0 + std::chrono::minutes(60)), "127.0.0.7");
}

// A self-signed certificate with this CN and subjectAltName (OpenSSL's "URI:…,DNS:…"), PEM.
std::string Certificate(const std::string& cn, const std::string& san) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  if (!san.empty()) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, san.c_str());
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(cert, key, EVP_sha256());
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(size));
  BIO_free(bio);
  X509_free(cert);
  EVP_PKEY_free(key);
  return pem;
}

TEST(CallerIdentityTest, UriSanThenDnsSanThenCommonName) {
  EXPECT_EQ(CertificateIdentity(Certificate("hr", "DNS:HR.Example.Test,URI:spiffe://hr/platform")),
            "uri:spiffe://hr/platform");
  EXPECT_EQ(CertificateIdentity(Certificate("hr", "DNS:HR.Example.Test")), "dns:hr.example.test");
  EXPECT_EQ(CertificateIdentity(Certificate("hr-platform", "")), "cn:hr-platform");
  // Not a plain token: the next form is used.
  EXPECT_EQ(CertificateIdentity(Certificate("hr platform", "URI:spiffe://hr/a b")), "");
  EXPECT_EQ(CertificateIdentity("not a certificate"), "");
}

}  // namespace
}  // namespace cv::rpc
