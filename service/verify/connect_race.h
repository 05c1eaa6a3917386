#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "probe/run.h"

namespace cv::verify {

// TCP to every vetted address of a host at once. The dialog goes on with the first that
// answers; the others keep going while it runs, so each address gets its own "tcp" probe, and
// Finish() ends those still pending when the verification is done.
class ConnectRace : public std::enable_shared_from_this<ConnectRace> {
 public:
  // `facts` go on every attempt's probe (an alternative's TLS mode, so that a reader can tell
  // the alternatives on one port apart).
  ConnectRace(const probe::Run& run, std::string host, uint16_t port, std::string probe_name,
              std::map<std::string, std::string> facts = {});

  // The first connection that succeeded, or nullptr when every address failed.
  boost::asio::awaitable<std::shared_ptr<net::Conn>> First(
      std::vector<boost::asio::ip::address> addresses);
  boost::asio::awaitable<void> Finish();

  // When First() returned nullptr: what the attempts met.
  bool all_refused() const { return refused_ == attempts_ && attempts_ > 0; }
  bool any_timed_out() const { return timed_out_ > 0; }
  bool cut_by_caller() const { return cut_by_caller_; }
  const std::string& last_error() const { return last_error_; }

 private:
  boost::asio::awaitable<void> Attempt(size_t index, boost::asio::ip::address address);

  probe::Run run_;
  std::string host_;
  uint16_t port_;
  std::string probe_name_;
  std::map<std::string, std::string> facts_;
  boost::asio::steady_timer signal_;
  std::vector<std::shared_ptr<net::Conn>> conns_;
  std::shared_ptr<net::Conn> winner_;
  size_t attempts_ = 0;
  size_t pending_ = 0;
  size_t refused_ = 0;
  size_t timed_out_ = 0;
  bool cut_by_caller_ = false;
  std::string last_error_;
};

// "smtp.example.com:587 [203.0.113.7]"
std::string TargetName(const std::string& host, uint16_t port,
                       const boost::asio::ip::address& address);

}  // namespace cv::verify
