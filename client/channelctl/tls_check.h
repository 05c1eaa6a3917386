// Why channelctl cannot talk to the server over TLS (or without it). gRPC reports a refused
// client certificate, and a plaintext call to a TLS port, only as "Socket closed"; this does the
// handshake once more with OpenSSL, with the same trust anchors, client certificate and name,
// and says what went wrong in the words of the flags that fix it.
#pragma once

#include <chrono>
#include <string>

#include "channelverify/client.h"

namespace channelctl {

// One sentence naming the cause and the flag to change, or "" when the check finds nothing
// wrong with TLS (then the RPC's own error stands). Connects once to options.target when it is
// HOST:PORT (or dns:///HOST:PORT); everything, name lookup included, within `timeout`.
std::string ExplainConnectionFailure(const channelverify::ClientOptions& options,
                                     std::chrono::milliseconds timeout);

}  // namespace channelctl
