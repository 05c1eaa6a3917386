#include "rpc/server_options.h"

#include <vector>

#include "probe/engine_options.h"

namespace cv::rpc {
namespace {

constexpr OptionSpec kServerOptions[] = {CV_SERVER_OPTIONS(CV_OPTION_SPEC)};

}  // namespace

std::span<const OptionSpec> ServerOptions() { return kServerOptions; }

std::span<const OptionSpec> AllServerOptions() {
  static const auto* all = [] {
    auto* out = new std::vector<OptionSpec>(std::begin(kServerOptions), std::end(kServerOptions));
    const auto engine = probe::EngineOptions();
    out->insert(out->end(), engine.begin(), engine.end());
    return out;
  }();
  return *all;
}

}  // namespace cv::rpc
