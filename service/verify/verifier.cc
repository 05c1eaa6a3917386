#include "verify/verifier.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "probe/run.h"
#include "verify/local_failure.h"
#include "verify/oauth_verifier.h"
#include "verify/scrub.h"
#include "verify/send_test.h"
#include "verify/smtp_verifier.h"

namespace cv::verify {
namespace asio = boost::asio;

void Handle::Cancel() {
  asio::post(strand_, [scope = scope_] { scope->Cancel(); });
}

namespace {

// Starts one request on its own strand; `done` runs on that strand exactly once. Nothing a
// server sends throws: an exception here is our bug, and the caller still gets an answer (an
// empty response, which the RPC layer maps to INTERNAL). Nothing is ever retried or resent.
// The request's secrets, registered before anything is sent.
void Register(Redactor& redactor, const probe::SmtpTarget& target) {
  redactor.Add(target.password);
}
void Register(Redactor& redactor, const probe::OAuthTarget& target, const probe::Config& config) {
  redactor.Add(target.access_token);
  redactor.Add(target.refresh_token);
  redactor.Add(config.google.client_secret);
  redactor.Add(config.microsoft.client_secret);
}

template <typename Response, typename Done, typename Make>
std::shared_ptr<Handle> Start(asio::io_context& io,
                              const std::shared_ptr<const probe::Config>& config, Lang lang,
                              net::Clock::time_point deadline, std::shared_ptr<Redactor> redactor,
                              Done done, Make make) {
  asio::any_io_executor strand = asio::make_strand(io);
  auto scope = std::make_shared<net::CancelScope>();
  auto recorder = std::make_shared<probe::Recorder>(net::Clock::now());
  probe::Run run{config.get(), strand, net::Budget(deadline), scope, recorder, lang, redactor};
  asio::co_spawn(strand, make(std::move(run)),
                 [done = std::move(done), config, redactor, recorder](std::exception_ptr error,
                                                                      Response response) {
                   if (error) response.Clear();
                   MarkLocalFailure(*recorder, &response);
                   ScrubMessage(*redactor, &response);
                   done(std::move(response));
                 });
  return std::make_shared<Handle>(strand, scope);
}

}  // namespace

std::shared_ptr<Redactor> Verifier::Registered(const probe::SmtpTarget& target) const {
  auto redactor = std::make_shared<Redactor>();
  Register(*redactor, target);
  return redactor;
}

std::shared_ptr<Redactor> Verifier::Registered(const probe::OAuthTarget& target) const {
  auto redactor = std::make_shared<Redactor>();
  Register(*redactor, target, *config_);
  return redactor;
}

std::shared_ptr<Handle> Verifier::VerifySmtp(probe::SmtpTarget target, Lang lang,
                                             net::Clock::time_point deadline, VerifyDone done) {
  // Before `target` is moved into the coroutine.
  auto redactor = Registered(target);
  return Start<channelverify::v1::VerifyChannelResponse>(
      io_, config_, lang, deadline, std::move(redactor), std::move(done),
      [target = std::move(target)](probe::Run run) mutable {
        return verify::VerifySmtp(std::move(run), std::move(target));
      });
}

std::shared_ptr<Handle> Verifier::VerifyOAuth(probe::OAuthTarget target, Lang lang,
                                              net::Clock::time_point deadline, VerifyDone done) {
  // Before `target` is moved into the coroutine.
  auto redactor = Registered(target);
  return Start<channelverify::v1::VerifyChannelResponse>(
      io_, config_, lang, deadline, std::move(redactor), std::move(done),
      [target = std::move(target)](probe::Run run) mutable {
        return verify::VerifyOAuth(std::move(run), std::move(target));
      });
}

std::shared_ptr<Handle> Verifier::SendTestSmtp(probe::SmtpTarget target, std::string recipient,
                                               Lang lang, net::Clock::time_point deadline,
                                               SendDone done) {
  // Before `target` is moved into the coroutine.
  auto redactor = Registered(target);
  return Start<channelverify::v1::SendTestResponse>(
      io_, config_, lang, deadline, std::move(redactor), std::move(done),
      [target = std::move(target), recipient = std::move(recipient)](probe::Run run) mutable {
        return verify::SendTestSmtp(std::move(run), std::move(target), std::move(recipient));
      });
}

std::shared_ptr<Handle> Verifier::SendTestOAuth(probe::OAuthTarget target, std::string recipient,
                                                Lang lang, net::Clock::time_point deadline,
                                                SendDone done) {
  // Before `target` is moved into the coroutine.
  auto redactor = Registered(target);
  return Start<channelverify::v1::SendTestResponse>(
      io_, config_, lang, deadline, std::move(redactor), std::move(done),
      [target = std::move(target), recipient = std::move(recipient)](probe::Run run) mutable {
        return verify::SendTestOAuth(std::move(run), std::move(target), std::move(recipient));
      });
}

}  // namespace cv::verify
