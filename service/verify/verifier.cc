#include "verify/verifier.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "verify/run.h"
#include "verify/send_test.h"
#include "verify/smtp_verifier.h"

namespace cv::verify {
namespace asio = boost::asio;

void Handle::Cancel() {
  asio::post(strand_, [scope = scope_] { scope->Cancel(); });
}

std::shared_ptr<Handle> Verifier::VerifySmtp(SmtpTarget target, Lang lang,
                                             net::Clock::time_point deadline, VerifyDone done) {
  asio::any_io_executor strand = asio::make_strand(io_);
  auto scope = std::make_shared<net::CancelScope>();
  const auto start = net::Clock::now();
  Run run{config_.get(), strand, net::Budget(deadline), scope, std::make_shared<Recorder>(start),
          lang};
  asio::co_spawn(strand, verify::VerifySmtp(std::move(run), std::move(target)),
                 [done = std::move(done), config = config_](
                     std::exception_ptr error, channelverify::v1::VerifyChannelResponse response) {
                   // Nothing a server sends throws; an exception here is our bug, and the
                   // caller still gets an answer (the RPC layer maps an empty verdict).
                   if (error) response.Clear();
                   done(std::move(response));
                 });
  return std::make_shared<Handle>(strand, scope);
}

std::shared_ptr<Handle> Verifier::SendTestSmtp(SmtpTarget target, std::string recipient, Lang lang,
                                               net::Clock::time_point deadline, SendDone done) {
  asio::any_io_executor strand = asio::make_strand(io_);
  auto scope = std::make_shared<net::CancelScope>();
  Run run{config_.get(),
          strand,
          net::Budget(deadline),
          scope,
          std::make_shared<Recorder>(net::Clock::now()),
          lang};
  asio::co_spawn(strand,
                 verify::SendTestSmtp(std::move(run), std::move(target), std::move(recipient)),
                 [done = std::move(done), config = config_](
                     std::exception_ptr error, channelverify::v1::SendTestResponse response) {
                   // As for VerifySmtp: an exception is our bug; the RPC layer maps the empty
                   // verdict to INTERNAL. Nothing is resent either way.
                   if (error) response.Clear();
                   done(std::move(response));
                 });
  return std::make_shared<Handle>(strand, scope);
}

}  // namespace cv::verify
