#pragma once

#include <string>
#include <vector>

#include "channelverify/v1/channel_verifier.pb.h"

namespace cv::diagnosis {

using channelverify::v1::DiagnosisCode;
using channelverify::v1::Provider;
using channelverify::v1::Severity;

// A diagnosis before it is rendered in a language: what the classifier and the verifier
// produce. `variant` picks a more precise remediation of the same code from the catalog
// (e.g. "tenant" / "mailbox" for M365_SMTP_AUTH_DISABLED, "ambiguous" for 535 5.7.3).
struct Finding {
  DiagnosisCode code = channelverify::v1::DIAGNOSIS_CODE_UNSPECIFIED;
  Severity severity = channelverify::v1::SEVERITY_UNSPECIFIED;  // unspecified: catalog default
  double confidence = 1.0;
  std::string variant;
  std::vector<std::string> evidence;  // already redacted
  std::string probe;                  // name of the probe that produced it
};

}  // namespace cv::diagnosis
