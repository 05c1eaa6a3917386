// Lookups in a VerifyChannel or SendTest response, by probe name or diagnosis code.
#pragma once

#include <string_view>

#include "channelverify/v1/channel_verifier.pb.h"

namespace cv::testing {

template <typename Response>
const channelverify::v1::Probe* FindProbe(const Response& r, std::string_view name) {
  for (const auto& p : r.probes()) {
    if (p.name() == name) return &p;
  }
  return nullptr;
}

template <typename Response>
const channelverify::v1::Diagnosis* FindDiagnosis(const Response& r,
                                                  channelverify::v1::DiagnosisCode code) {
  for (const auto& d : r.diagnoses()) {
    if (d.code() == code) return &d;
  }
  return nullptr;
}

}  // namespace cv::testing
