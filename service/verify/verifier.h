#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>

#include "channelverify/v1/channel_verifier.pb.h"
#include "common/lang.h"
#include "common/redactor.h"
#include "net/conn.h"
#include "probe/config.h"
#include "probe/oauth_request.h"
#include "probe/smtp_request.h"

namespace cv::verify {

// A request in flight: Cancel() may be called from any thread (gRPC's OnCancel).
class Handle {
 public:
  Handle(boost::asio::any_io_executor strand, std::shared_ptr<net::CancelScope> scope)
      : strand_(std::move(strand)), scope_(std::move(scope)) {}
  void Cancel();

 private:
  boost::asio::any_io_executor strand_;
  std::shared_ptr<net::CancelScope> scope_;
};

// The engine: starts verifications on the shared io_context, each on its own strand, and calls
// `done` on that strand exactly once. Used by the gRPC service and by channelctl --local.
class Verifier {
 public:
  using VerifyDone = std::function<void(channelverify::v1::VerifyChannelResponse)>;

  Verifier(boost::asio::io_context& io, std::shared_ptr<const probe::Config> config)
      : io_(io), config_(std::move(config)) {}

  using SendDone = std::function<void(channelverify::v1::SendTestResponse)>;

  std::shared_ptr<Handle> VerifySmtp(probe::SmtpTarget target, Lang lang,
                                     net::Clock::time_point deadline, VerifyDone done);
  // Sends one test message to `recipient` through the channel (see verify/send_test.h). The
  // response's verdict is unspecified only when the engine itself failed.
  std::shared_ptr<Handle> SendTestSmtp(probe::SmtpTarget target, std::string recipient, Lang lang,
                                       net::Clock::time_point deadline, SendDone done);
  std::shared_ptr<Handle> VerifyOAuth(probe::OAuthTarget target, Lang lang,
                                      net::Clock::time_point deadline, VerifyDone done);
  // SendTest through the direct integration (Gmail API, Microsoft Graph); as SendTestSmtp.
  std::shared_ptr<Handle> SendTestOAuth(probe::OAuthTarget target, std::string recipient, Lang lang,
                                        net::Clock::time_point deadline, SendDone done);

  const probe::Config& config() const { return *config_; }
  boost::asio::io_context& io() { return io_; }

 private:
  // A new call's redactor with the request's secrets (and, for OAuth, the clients') registered.
  std::shared_ptr<Redactor> Registered(const probe::SmtpTarget& target) const;
  std::shared_ptr<Redactor> Registered(const probe::OAuthTarget& target) const;

  boost::asio::io_context& io_;
  std::shared_ptr<const probe::Config> config_;
};

}  // namespace cv::verify
