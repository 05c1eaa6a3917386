#include "verify/local_failure.h"

namespace cv::verify {
namespace {

template <typename Response>
bool Mark(const probe::Recorder& recorder, Response* r) {
  if (recorder.local_failure().empty()) return false;
  r->Clear();  // verdict unspecified: nothing about the channel
  auto* probe = r->add_probes();
  probe->set_name(kLocalFailureProbe);
  probe->set_status(channelverify::v1::PROBE_STATUS_FAILED);
  probe->set_detail(recorder.local_failure());
  return true;
}

template <typename Response>
const std::string* Find(const Response& r) {
  if (r.verdict() != channelverify::v1::VERDICT_UNSPECIFIED) return nullptr;
  for (const auto& p : r.probes()) {
    if (p.name() == kLocalFailureProbe) return &p.detail();
  }
  return nullptr;
}

}  // namespace

bool MarkLocalFailure(const probe::Recorder& recorder,
                      channelverify::v1::VerifyChannelResponse* r) {
  return Mark(recorder, r);
}
bool MarkLocalFailure(const probe::Recorder& recorder, channelverify::v1::SendTestResponse* r) {
  return Mark(recorder, r);
}
const std::string* LocalFailure(const channelverify::v1::VerifyChannelResponse& r) {
  return Find(r);
}
const std::string* LocalFailure(const channelverify::v1::SendTestResponse& r) { return Find(r); }

}  // namespace cv::verify
