// A DialogMachine played against a scripted server, one exchange at a time: the test says
// what the client must write and what the server answers, byte for byte.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "diagnosis/finding.h"
#include "probe/config.h"
#include "probe/recorder.h"
#include "probe/run.h"
#include "probe/smtp_request.h"
#include "verify/dialog_machine.h"

namespace cv::verify {

class DialogScript : public ::testing::Test {
 protected:
  using Action = DialogAction::Kind;

  DialogScript() {
    config_.ehlo_name = "verifier.test";
    target_.host = "smtp.t.test";
    target_.port = 587;
    target_.username = "jobs@t.test";
    target_.password = Secret(std::string("secret"));
    target_.auth_report = report_;
    plan_.host = "smtp.t.test";
    plan_.port = 587;
  }

  // A run whose caller's deadline is `left` away.
  void CallerDeadlineIn(net::Clock::duration left) {
    run_.budget = net::Budget(net::Clock::now() + left);
  }

  void Start() {
    machine_ = std::make_unique<DialogMachine>(run_, target_, plan_,
                                               boost::asio::ip::make_address("192.0.2.10"));
    action_ = machine_->Start();
  }
  // The client writes exactly `bytes`, and they go out.
  void Client(std::string_view bytes) {
    ASSERT_EQ(action_.kind, Action::kWrite) << "expected " << bytes;
    EXPECT_EQ(action_.bytes, bytes);
    action_ = machine_->OnWritten();
  }
  // The client waits for the server, which sends `bytes`.
  void Server(std::string_view bytes) {
    ASSERT_EQ(action_.kind, Action::kRead) << "before " << bytes;
    action_ = machine_->OnRead(bytes);
  }
  void ServerFails(smtp::IoFailure::Kind kind, std::string_view bytes = "") {
    ASSERT_EQ(action_.kind, Action::kRead);
    action_ = machine_->OnRead(bytes, smtp::IoFailure{kind, "as scripted"});
  }
  // The TLS handshake succeeds with a certificate valid for a year (or not verified).
  void Tls(bool verified = true) {
    ASSERT_EQ(action_.kind, Action::kHandshake);
    net::TlsFacts tls;
    tls.version = "TLSv1.3";
    tls.cipher = "TLS_AES_256_GCM_SHA384";
    tls.cert_subject = "CN=smtp.t.test";
    tls.cert_issuer = "CN=Test CA";
    tls.cert_not_after = cert_not_after_;
    tls.verified = verified;
    if (!verified) {
      tls.verify_error = "self-signed certificate";
      tls.verify_kind = "self-signed";
    }
    action_ = machine_->OnTlsEstablished(tls, now_);
  }
  // Greeting and EHLO on a plain connection whose EHLO offers `extensions` (CRLF-ended lines).
  void UpTo(std::string_view extensions) {
    Start();
    Server("220 mx.t.test ESMTP\r\n");
    Client("EHLO verifier.test\r\n");
    Server("250-mx.t.test\r\n" + std::string(extensions));
  }
  // STARTTLS agreed to: the handshake is next.
  void UpToTls() {
    UpTo("250 STARTTLS\r\n");
    Client("STARTTLS\r\n");
    Server("220 go ahead\r\n");
  }
  // The same over STARTTLS, and EHLO again.
  void OverTlsUpTo(std::string_view extensions, bool verified = true) {
    UpToTls();
    Tls(verified);
    Client("EHLO verifier.test\r\n");
    Server("250-mx.t.test\r\n" + std::string(extensions));
  }
  void Finished(bool quit) {
    ASSERT_EQ(action_.kind, Action::kFinish);
    EXPECT_EQ(action_.quit, quit);
  }

  const DialogOutcome& outcome() const { return machine_->outcome(); }
  std::vector<std::string> ProbeNames() {
    probes_ = recorder_->TakeProbes();
    std::vector<std::string> names;
    for (const auto& p : probes_) names.push_back(p.name());
    return names;
  }
  // After ProbeNames(): the probes in the order they started.
  const channelverify::v1::Probe& ProbeAt(size_t i) const { return probes_.at(i); }
  std::vector<channelverify::v1::DiagnosisCode> Codes() const {
    std::vector<channelverify::v1::DiagnosisCode> codes;
    for (const auto& f : recorder_->findings()) codes.push_back(f.code);
    return codes;
  }
  const diagnosis::Finding* Finding(channelverify::v1::DiagnosisCode code) const {
    for (const auto& f : recorder_->findings()) {
      if (f.code == code) return &f;
    }
    return nullptr;
  }

  probe::Config config_;
  std::shared_ptr<probe::Recorder> recorder_ = std::make_shared<probe::Recorder>(net::Clock::now());
  probe::Run run_{
      &config_, {}, net::Budget(net::Clock::now() + std::chrono::hours(1)), nullptr, recorder_};
  std::shared_ptr<probe::AuthReport> report_ = std::make_shared<probe::AuthReport>();
  probe::SmtpTarget target_;
  DialogPlan plan_;
  absl::Time now_ = absl::FromUnixSeconds(1'800'000'000);  // 2027-01-15
  std::string cert_not_after_ = "2028-01-15T08:00:00Z";
  std::unique_ptr<DialogMachine> machine_;
  DialogAction action_;
  std::vector<channelverify::v1::Probe> probes_;
};

}  // namespace cv::verify
