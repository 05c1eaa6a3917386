// Builds against the installed headers and library, and makes one call to a port where nothing
// listens: proof that the generated API, gRPC and the retry settings link and run.
#include <cstdio>

#include "channelverify/client.h"

int main() {
  channelverify::ClientOptions options;
  options.target = "127.0.0.1:1";
  options.retry.max_attempts = 1;
  std::unique_ptr<channelverify::Client> client;
  if (!channelverify::Client::Create(options, &client).ok()) return 1;
  channelverify::v1::ListDiagnosesResponse response;
  const grpc::Status status = client->ListDiagnoses({}, &response);
  std::printf("%d\n", static_cast<int>(status.error_code()));
  return status.error_code() == grpc::StatusCode::UNAVAILABLE ? 0 : 1;
}
