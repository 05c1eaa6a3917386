#include "verify/smtp_dialog.h"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "diagnosis/probe_names.h"
#include "smtp/commands.h"
#include "verify/connect_race.h"
#include "verify/dialog_machine.h"

namespace cv::verify {
namespace asio = boost::asio;

namespace {

// How the socket's error looks to the dialog machine.
std::optional<smtp::IoFailure> FailureOf(const boost::system::error_code& ec) {
  if (!ec) return std::nullopt;
  smtp::IoFailure failure{smtp::IoFailure::Kind::kOther, ec.message()};
  if (ec == asio::error::timed_out) {
    failure.kind = smtp::IoFailure::Kind::kTimedOut;
  } else if (ec == asio::error::operation_aborted) {
    failure.kind = smtp::IoFailure::Kind::kCancelled;
  } else if (ec == asio::error::eof || ec == asio::error::connection_reset ||
             ec == asio::ssl::error::stream_truncated || ec == asio::error::broken_pipe) {
    failure.kind = smtp::IoFailure::Kind::kClosed;
  }
  return failure;
}

// Carries out the machine's actions on `conn` until it finishes.
asio::awaitable<void> Drive(DialogMachine& machine, net::Conn& conn, const std::string& host) {
  std::vector<char> buffer(4096);
  DialogAction action = machine.Start();
  while (action.kind != DialogAction::Kind::kFinish) {
    switch (action.kind) {
      case DialogAction::Kind::kWrite: {
        const auto ec = co_await conn.Write(action.bytes, action.deadline);
        action = machine.OnWritten(FailureOf(ec));
        break;
      }
      case DialogAction::Kind::kRead: {
        const auto [ec, n] = co_await conn.ReadSome(asio::buffer(buffer), action.deadline);
        action = machine.OnRead(std::string_view(buffer.data(), n), FailureOf(ec));
        break;
      }
      case DialogAction::Kind::kHandshake: {
        const auto ec = co_await conn.Handshake(host, action.deadline);
        action = ec ? machine.OnTlsFailed(*FailureOf(ec), net::ClassifyHandshakeError(ec),
                                          net::DescribeTlsError(ec))
                    : machine.OnTlsEstablished(net::InspectSession(conn.native_ssl()), absl::Now());
        break;
      }
      case DialogAction::Kind::kFinish:
        break;
    }
  }
  if (action.quit) {
    // QUIT without waiting for the 221: a verification need not pay for that round trip.
    co_await conn.Write(smtp::Quit(), net::Clock::now() + std::chrono::milliseconds(200));
  }
  conn.Close();
}

}  // namespace

asio::awaitable<DialogOutcome> RunSmtpDialog(const probe::Run& run, const probe::SmtpTarget& target,
                                             DialogPlan plan,
                                             std::vector<asio::ip::address> addrs) {
  auto race = std::make_shared<ConnectRace>(
      run, plan.host, plan.port, absl::StrCat(plan.probe_prefix, ".", probes::step::kTcp),
      SettingFacts(plan));
  auto conn = co_await race->First(std::move(addrs));
  DialogOutcome out;
  if (conn == nullptr) {
    out.failure = race->all_refused()     ? TransportFailure::kConnectRefused
                  : race->any_timed_out() ? TransportFailure::kConnectTimeout
                                          : TransportFailure::kConnectFailed;
    out.cut_by_caller = race->cut_by_caller();
    out.evidence = race->last_error();
    co_await race->Finish();
    co_return out;
  }
  DialogMachine machine(run, target, plan, conn->remote().address());
  co_await Drive(machine, *conn, plan.host);
  out = machine.outcome();
  co_await race->Finish();
  co_return out;
}

}  // namespace cv::verify
