#include "verify/connect_race.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "absl/strings/str_cat.h"
#include "diagnosis/probe_names.h"
#include "net/socket_budget.h"

namespace cv::verify {
namespace asio = boost::asio;
using channelverify::v1::PROBE_STATUS_FAILED;
using channelverify::v1::PROBE_STATUS_OK;
using channelverify::v1::PROBE_STATUS_TIMED_OUT;

std::string TargetName(const std::string& host, uint16_t port, const asio::ip::address& address) {
  const std::string literal =
      address.is_v6() ? absl::StrCat("[", address.to_string(), "]") : address.to_string();
  if (host == address.to_string()) return absl::StrCat(literal, ":", port);
  return absl::StrCat(host, ":", port, " ", literal);
}

ConnectRace::ConnectRace(const probe::Run& run, std::string host, uint16_t port,
                         std::string probe_name, std::map<std::string, std::string> facts)
    : run_(run),
      host_(std::move(host)),
      port_(port),
      probe_name_(std::move(probe_name)),
      facts_(std::move(facts)),
      signal_(run.executor) {}

asio::awaitable<std::shared_ptr<net::Conn>> ConnectRace::First(
    std::vector<asio::ip::address> addresses) {
  attempts_ = pending_ = addresses.size();
  signal_.expires_at(asio::steady_timer::time_point::max());
  for (size_t i = 0; i < addresses.size(); ++i) {
    conns_.push_back(net::Conn::Create(run_.executor, run_.config->tls, run_.scope));
    asio::co_spawn(run_.executor, Attempt(i, addresses[i]), asio::detached);
  }
  while (winner_ == nullptr && pending_ > 0) {
    co_await signal_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  co_return winner_;
}

asio::awaitable<void> ConnectRace::Attempt(size_t index, asio::ip::address address) {
  auto self = shared_from_this();  // the race outlives every attempt
  const std::string target = TargetName(host_, port_, address);
  auto* probe = run_.recorder->Begin(probe_name_, target);
  probe->mutable_facts()->insert(facts_.begin(), facts_.end());
  const auto deadline = run_.budget.Step(run_.config->timeouts.connect);
  const auto ec = co_await conns_[index]->Connect({address, port_}, deadline);
  if (!ec) {
    (*probe->mutable_facts())[facts::kAddress] = address.to_string();
    run_.recorder->End(probe, PROBE_STATUS_OK);
    if (winner_ == nullptr) {
      winner_ = conns_[index];
    } else {
      conns_[index]->Close();  // reachable, but the dialog already runs on another address
    }
  } else if (ec == asio::error::timed_out) {
    ++timed_out_;
    if (run_.budget.CutByCaller(deadline)) cut_by_caller_ = true;
    last_error_ = absl::StrCat(target, ": no answer to the TCP connect");
    run_.recorder->End(probe, PROBE_STATUS_TIMED_OUT, "no answer to the TCP connect in time");
  } else if (ec == asio::error::operation_aborted) {
    run_.recorder->End(probe, PROBE_STATUS_TIMED_OUT,
                       "still unanswered when the verification ended");
  } else {
    if (net::IsLocalResourceError(ec)) {
      run_.recorder->SetLocalFailure(net::LocalResourceName(ec),
                                     absl::StrCat("TCP connect: ", ec.message()));
    }
    if (ec == asio::error::connection_refused) ++refused_;
    last_error_ = absl::StrCat(target, ": ", ec.message());
    run_.recorder->End(probe, PROBE_STATUS_FAILED, ec.message());
  }
  if (--pending_ == 0 || winner_ == conns_[index]) signal_.cancel();
}

asio::awaitable<void> ConnectRace::Finish() {
  for (auto& conn : conns_) {
    if (conn != winner_) conn->Abort();
  }
  while (pending_ > 0) {
    signal_.expires_at(asio::steady_timer::time_point::max());
    co_await signal_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace cv::verify
