#include "diagnosis/probe_names.h"

#include <gtest/gtest.h>

#include <string>

#include "diagnosis/classifier.h"

namespace cv {
namespace {

std::string Join(const char* dialog, const char* step) { return std::string(dialog) + "." + step; }

// The channel's own steps are spelt out for readers of a response; they must stay what the
// dialog makes of its prefix and step.
TEST(ProbeNamesTest, TheChannelsStepsAreItsPrefixAndTheStep) {
  EXPECT_EQ(probes::kSmtpTcp, Join(probes::kSmtp, probes::step::kTcp));
  EXPECT_EQ(probes::kSmtpTls, Join(probes::kSmtp, probes::step::kTls));
  EXPECT_EQ(probes::kSmtpGreeting, Join(probes::kSmtp, probes::step::kGreeting));
  EXPECT_EQ(probes::kSmtpEhlo, Join(probes::kSmtp, probes::step::kEhlo));
  EXPECT_EQ(probes::kSmtpStartTls, Join(probes::kSmtp, probes::step::kStartTls));
  EXPECT_EQ(probes::kSmtpAuth, Join(probes::kSmtp, probes::step::kAuth));
  EXPECT_EQ(probes::kSmtpMailFrom, Join(probes::kSmtp, probes::step::kMailFrom));
  EXPECT_EQ(probes::kXoauth2Auth, Join(probes::kXoauth2, probes::step::kAuth));
}

TEST(ProbeNamesTest, StagesNameTheChannelsProbes) {
  EXPECT_EQ(diagnosis::StageProbe(diagnosis::Stage::kGreeting), probes::kSmtpGreeting);
  EXPECT_EQ(diagnosis::StageProbe(diagnosis::Stage::kEhlo), probes::kSmtpEhlo);
  EXPECT_EQ(diagnosis::StageProbe(diagnosis::Stage::kAuth), probes::kSmtpAuth);
  EXPECT_EQ(diagnosis::StageProbe(diagnosis::Stage::kXoauth2), probes::kSmtpAuth);
}

}  // namespace
}  // namespace cv
