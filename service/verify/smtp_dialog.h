#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <vector>

#include "probe/run.h"
#include "probe/smtp_request.h"
#include "verify/dialog_plan.h"

namespace cv::verify {

// Connects (to every address at once), then greeting, EHLO, STARTTLS or implicit TLS, EHLO,
// AUTH, then either the sender check (MAIL FROM and RSET: never RCPT, never DATA) or, with
// plan.send, MAIL FROM, RCPT TO, DATA and the message, then QUIT, recording a probe per step
// and the findings of every server reply. What to send and what the answers mean is the
// DialogMachine's (dialog_machine.h); this only moves its bytes over the connection, in time.
boost::asio::awaitable<DialogOutcome> RunSmtpDialog(const probe::Run& run,
                                                    const probe::SmtpTarget& target,
                                                    DialogPlan plan,
                                                    std::vector<boost::asio::ip::address> addrs);

}  // namespace cv::verify
