// Lookups in a VerifyChannel or SendTest response, by probe name or diagnosis code.
//
// FindProbe and FindDiagnosis return nullptr when there is none: for checking that something
// is absent, or before an ASSERT_NE. ProbeOrFail and DiagnosisOrFail are for reading what must
// be there: a missing one fails the test at the caller's line, naming what the response has
// instead, and an empty message stands in so that the caller's own checks fail as well rather
// than the test binary crashing on a null pointer.
#pragma once

#include <gtest/gtest.h>

#include <source_location>
#include <string>
#include <string_view>
#include <vector>

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

// The codes of the response's diagnoses, in order (for EXPECT_THAT(Codes(r), Contains(...))).
template <typename Response>
std::vector<channelverify::v1::DiagnosisCode> Codes(const Response& r) {
  std::vector<channelverify::v1::DiagnosisCode> codes;
  for (const auto& d : r.diagnoses()) codes.push_back(d.code());
  return codes;
}

template <typename Response>
const channelverify::v1::Probe& ProbeOrFail(
    const Response& r, std::string_view name,
    std::source_location where = std::source_location::current()) {
  if (const auto* p = FindProbe(r, name)) return *p;
  std::string names;
  for (const auto& p : r.probes()) names += " " + p.name();
  ADD_FAILURE_AT(where.file_name(), where.line())
      << "no probe \"" << name << "\"; the response has:" << (names.empty() ? " none" : names);
  static const channelverify::v1::Probe kMissing;
  return kMissing;
}

template <typename Response>
const channelverify::v1::Diagnosis& DiagnosisOrFail(
    const Response& r, channelverify::v1::DiagnosisCode code,
    std::source_location where = std::source_location::current()) {
  if (const auto* d = FindDiagnosis(r, code)) return *d;
  std::string codes;
  for (const auto& d : r.diagnoses()) {
    codes += " " + channelverify::v1::DiagnosisCode_Name(d.code());
  }
  ADD_FAILURE_AT(where.file_name(), where.line())
      << "no diagnosis " << channelverify::v1::DiagnosisCode_Name(code)
      << "; the response has:" << (codes.empty() ? " none" : codes);
  static const channelverify::v1::Diagnosis kMissing;
  return kMissing;
}

}  // namespace cv::testing
