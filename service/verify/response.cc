#include "verify/response.h"

#include <algorithm>

#include "diagnosis/catalog.h"

namespace cv::verify {
namespace v1 = channelverify::v1;

v1::Verdict VerdictOf(const google::protobuf::RepeatedPtrField<v1::Diagnosis>& diagnoses) {
  v1::Verdict verdict = v1::VERDICT_PASS;
  for (const auto& d : diagnoses) {
    if (d.severity() == v1::SEVERITY_ERROR) return v1::VERDICT_FAIL;
    if (d.severity() == v1::SEVERITY_WARNING) verdict = v1::VERDICT_WARN;
  }
  return verdict;
}

namespace {

// Renders the findings in the run's language, most severe and most certain first, and moves
// the probes in.
template <typename Response>
void RenderInto(const probe::Run& run, Response* response) {
  for (const auto& finding : run.recorder->findings()) {
    *response->add_diagnoses() = diagnosis::Render(finding, run.lang, run.config->render);
  }
  auto* diagnoses = response->mutable_diagnoses();
  std::stable_sort(diagnoses->begin(), diagnoses->end(),
                   [](const v1::Diagnosis& a, const v1::Diagnosis& b) {
                     if (a.severity() != b.severity()) return a.severity() > b.severity();
                     return a.confidence() > b.confidence();
                   });
  for (auto& probe : run.recorder->TakeProbes()) *response->add_probes() = std::move(probe);
}

}  // namespace

void FinishResponse(const probe::Run& run, v1::VerifyChannelResponse* response) {
  RenderInto(run, response);
  response->set_verdict(VerdictOf(response->diagnoses()));
  probe::SetDuration(net::Clock::now() - run.recorder->start(), response->mutable_elapsed());
}

void FinishSendResponse(const probe::Run& run, v1::SendTestResponse* response) {
  RenderInto(run, response);
  response->set_verdict(response->accepted() ? VerdictOf(response->diagnoses()) : v1::VERDICT_FAIL);
}

}  // namespace cv::verify
