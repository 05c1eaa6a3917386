// The response lookups of tests/support/find.h: a missing probe or diagnosis fails the test
// that asked for it, with what the response has instead, and never crashes it.
#include "support/find.h"

#include <gmock/gmock.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

namespace cv::testing {
namespace {

namespace v1 = channelverify::v1;
using ::testing::ElementsAre;

v1::VerifyChannelResponse Response() {
  v1::VerifyChannelResponse r;
  r.add_probes()->set_name("smtp.tcp");
  auto* auth = r.add_probes();
  auth->set_name("smtp.auth");
  auth->set_status(v1::PROBE_STATUS_FAILED);
  r.add_diagnoses()->set_code(v1::DIAGNOSIS_CODE_INVALID_CREDENTIALS);
  return r;
}

TEST(FindTest, FindsWhatIsThere) {
  const auto r = Response();
  EXPECT_EQ(ProbeOrFail(r, "smtp.auth").status(), v1::PROBE_STATUS_FAILED);
  EXPECT_EQ(FindProbe(r, "smtp.auth"), &r.probes(1));
  EXPECT_EQ(FindProbe(r, "smtp.greeting"), nullptr);
  EXPECT_EQ(DiagnosisOrFail(r, v1::DIAGNOSIS_CODE_INVALID_CREDENTIALS).code(),
            v1::DIAGNOSIS_CODE_INVALID_CREDENTIALS);
  EXPECT_EQ(FindDiagnosis(r, v1::DIAGNOSIS_CODE_AUTH_REQUIRED), nullptr);
  EXPECT_THAT(Codes(r), ElementsAre(v1::DIAGNOSIS_CODE_INVALID_CREDENTIALS));
}

TEST(FindTest, AMissingProbeOrDiagnosisIsAFailureNamingWhatThereIs) {
  const auto r = Response();
  EXPECT_NONFATAL_FAILURE(
      EXPECT_EQ(ProbeOrFail(r, "smtp.greeting").status(), v1::PROBE_STATUS_UNSPECIFIED),
      "no probe \"smtp.greeting\"; the response has: smtp.tcp smtp.auth");
  EXPECT_NONFATAL_FAILURE(DiagnosisOrFail(r, v1::DIAGNOSIS_CODE_AUTH_REQUIRED),
                          "no diagnosis DIAGNOSIS_CODE_AUTH_REQUIRED; the response has: "
                          "DIAGNOSIS_CODE_INVALID_CREDENTIALS");
  EXPECT_NONFATAL_FAILURE(ProbeOrFail(v1::SendTestResponse(), "smtp.auth"),
                          "the response has: none");
}

}  // namespace
}  // namespace cv::testing
