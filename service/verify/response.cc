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

void FinishResponse(const Run& run, v1::VerifyChannelResponse* response) {
  for (const auto& finding : run.recorder->findings()) {
    *response->add_diagnoses() = diagnosis::Render(finding, run.lang, run.config->render);
  }
  auto* diagnoses = response->mutable_diagnoses();
  // The most severe, then the most certain, first: what a reader should look at.
  std::stable_sort(diagnoses->begin(), diagnoses->end(),
                   [](const v1::Diagnosis& a, const v1::Diagnosis& b) {
                     if (a.severity() != b.severity()) return a.severity() > b.severity();
                     return a.confidence() > b.confidence();
                   });
  for (auto& probe : run.recorder->TakeProbes()) *response->add_probes() = std::move(probe);
  response->set_verdict(VerdictOf(response->diagnoses()));
  SetDuration(net::Clock::now() - run.recorder->start(), response->mutable_elapsed());
}

}  // namespace cv::verify
