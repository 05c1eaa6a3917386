#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "peer/peer.h"

namespace cv::bench {

// Accepts connections on `acceptor` and serves each with one SMTP session (a coroutine on the
// acceptor's executor). With `implicit_tls` the TLS handshake comes before the greeting;
// otherwise the session offers STARTTLS. AUTH is offered only over TLS, as real servers do.
boost::asio::awaitable<void> ServeSmtp(boost::asio::ip::tcp::acceptor acceptor,
                                       boost::asio::ssl::context& tls, const PeerOptions& options,
                                       PeerStats& stats, bool implicit_tls);

}  // namespace cv::bench
