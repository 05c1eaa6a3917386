#include "verify/verifier.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "verify/oauth_verifier.h"
#include "verify/run.h"
#include "verify/smtp_verifier.h"

namespace cv::verify {
namespace asio = boost::asio;

void Handle::Cancel() {
  asio::post(strand_, [scope = scope_] { scope->Cancel(); });
}

namespace {

// Starts one verification on its own strand; `done` runs on that strand exactly once.
template <typename Make>
std::shared_ptr<Handle> Start(asio::io_context& io, const std::shared_ptr<const Config>& config,
                              Lang lang, net::Clock::time_point deadline, Verifier::VerifyDone done,
                              Make make) {
  asio::any_io_executor strand = asio::make_strand(io);
  auto scope = std::make_shared<net::CancelScope>();
  const auto start = net::Clock::now();
  Run run{config.get(), strand, net::Budget(deadline), scope, std::make_shared<Recorder>(start),
          lang};
  asio::co_spawn(strand, make(std::move(run)),
                 [done = std::move(done), config](
                     std::exception_ptr error, channelverify::v1::VerifyChannelResponse response) {
                   // Nothing a server sends throws; an exception here is our bug, and the
                   // caller still gets an answer (the RPC layer maps an empty verdict).
                   if (error) response.Clear();
                   done(std::move(response));
                 });
  return std::make_shared<Handle>(strand, scope);
}

}  // namespace

std::shared_ptr<Handle> Verifier::VerifySmtp(SmtpTarget target, Lang lang,
                                             net::Clock::time_point deadline, VerifyDone done) {
  return Start(io_, config_, lang, deadline, std::move(done),
               [target = std::move(target)](Run run) mutable {
                 return verify::VerifySmtp(std::move(run), std::move(target));
               });
}

std::shared_ptr<Handle> Verifier::VerifyOAuth(OAuthTarget target, Lang lang,
                                              net::Clock::time_point deadline, VerifyDone done) {
  return Start(io_, config_, lang, deadline, std::move(done),
               [target = std::move(target)](Run run) mutable {
                 return verify::VerifyOAuth(std::move(run), std::move(target));
               });
}

}  // namespace cv::verify
