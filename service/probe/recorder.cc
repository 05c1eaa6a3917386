#include "probe/recorder.h"

#include <algorithm>

#include "observability/service_metrics.h"

namespace cv::probe {

void SetDuration(net::Clock::duration d, google::protobuf::Duration* out) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
  out->set_seconds(ns / 1000000000);
  out->set_nanos(static_cast<int32_t>(ns % 1000000000));
}

Recorder::Probe* Recorder::Begin(std::string name, std::string target) {
  const auto now = net::Clock::now();
  Probe& probe = probes_.emplace_back();
  began_.push_back(now);
  probe.set_name(std::move(name));
  probe.set_target(std::move(target));
  SetDuration(now - start_, probe.mutable_started_after());
  return &probe;
}

void Recorder::End(Probe* probe, channelverify::v1::ProbeStatus status, std::string detail) {
  const size_t index =
      static_cast<size_t>(std::find_if(probes_.begin(), probes_.end(),
                                       [probe](const Probe& p) { return &p == probe; }) -
                          probes_.begin());
  if (index < began_.size())
    SetDuration(net::Clock::now() - began_[index], probe->mutable_duration());
  probe->set_status(status);
  if (!detail.empty()) probe->set_detail(std::move(detail));
}

void Recorder::Skip(std::string name, std::string target, std::string reason) {
  Probe* probe = Begin(std::move(name), std::move(target));
  End(probe, channelverify::v1::PROBE_STATUS_SKIPPED, std::move(reason));
}

void Recorder::Add(diagnosis::Finding finding) {
  // One diagnosis per code: a second sighting adds its evidence to the first.
  for (auto& existing : findings_) {
    if (existing.code == finding.code) {
      for (auto& e : finding.evidence) {
        if (std::find(existing.evidence.begin(), existing.evidence.end(), e) ==
            existing.evidence.end()) {
          existing.evidence.push_back(std::move(e));
        }
      }
      existing.confidence = std::max(existing.confidence, finding.confidence);
      if (finding.severity > existing.severity) existing.severity = finding.severity;
      return;
    }
  }
  findings_.push_back(std::move(finding));
}

void Recorder::Add(std::vector<diagnosis::Finding> findings) {
  for (auto& f : findings) Add(std::move(f));
}

void Recorder::SetLocalFailure(const std::string& resource, std::string detail) {
  observability::Metrics().local_resource_errors.Increment({resource});
  if (local_failure_.empty()) local_failure_ = std::move(detail);
}

bool Recorder::Has(diagnosis::DiagnosisCode code) const {
  return std::any_of(findings_.begin(), findings_.end(),
                     [code](const diagnosis::Finding& f) { return f.code == code; });
}

void Recorder::Adopt(std::vector<Probe> probes) {
  for (auto& probe : probes) {
    probes_.push_back(std::move(probe));
    began_.push_back(start_);  // finished already: End() is never called on it again
  }
}

std::vector<Recorder::Probe> Recorder::TakeProbes() {
  std::vector<Probe> out(std::make_move_iterator(probes_.begin()),
                         std::make_move_iterator(probes_.end()));
  std::stable_sort(out.begin(), out.end(), [](const Probe& a, const Probe& b) {
    const auto& x = a.started_after();
    const auto& y = b.started_after();
    return x.seconds() != y.seconds() ? x.seconds() < y.seconds() : x.nanos() < y.nanos();
  });
  probes_.clear();
  began_.clear();
  return out;
}

}  // namespace cv::probe
