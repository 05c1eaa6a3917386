#pragma once

#include <deque>
#include <string>
#include <vector>

#include "channelverify/v1/channel_verifier.pb.h"
#include "diagnosis/finding.h"
#include "net/deadline.h"

namespace cv::probe {

// Collects what one request found: a probe per step actually run, with timing and facts, and
// the findings. One per request, used from its strand only.
class Recorder {
 public:
  using Probe = channelverify::v1::Probe;

  explicit Recorder(net::Clock::time_point start) : start_(start) {}

  // Starts a step; the pointer stays valid for the Recorder's life.
  Probe* Begin(std::string name, std::string target);
  void End(Probe* probe, channelverify::v1::ProbeStatus status, std::string detail = "");
  void Skip(std::string name, std::string target, std::string reason);
  void Add(diagnosis::Finding finding);
  void Add(std::vector<diagnosis::Finding> findings);

  // A shortage of this machine met during the run (`resource`: "open_files", ...): the run
  // then says nothing about the channel (see verify/local_failure.h). Counted in a metric.
  void SetLocalFailure(const std::string& resource, std::string detail);
  const std::string& local_failure() const { return local_failure_; }

  bool Has(diagnosis::DiagnosisCode code) const;
  const std::vector<diagnosis::Finding>& findings() const { return findings_; }
  std::vector<diagnosis::Finding>& mutable_findings() { return findings_; }
  // Probes ordered by start time.
  std::vector<Probe> TakeProbes();
  // Takes finished probes of another recorder of the same request (same start).
  void Adopt(std::vector<Probe> probes);
  net::Clock::time_point start() const { return start_; }

 private:
  net::Clock::time_point start_;
  std::deque<Probe> probes_;
  std::deque<net::Clock::time_point> began_;
  std::vector<diagnosis::Finding> findings_;
  std::string local_failure_;
};

// Sets a google.protobuf.Duration from a steady-clock duration.
void SetDuration(net::Clock::duration d, google::protobuf::Duration* out);

}  // namespace cv::probe
