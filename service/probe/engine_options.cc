#include "probe/engine_options.h"

namespace cv::probe {
namespace {

constexpr OptionSpec kEngineOptions[] = {CV_ENGINE_OPTIONS(CV_OPTION_SPEC)};

}  // namespace

std::span<const OptionSpec> EngineOptions() { return kEngineOptions; }

absl::Status SetEngineOption(std::string_view name, std::string_view text, ConfigOptions* options) {
#define CV_SET_ENGINE_OPTION(type, field, ...) \
  if (name == #field) return ParseOption(name, text, &options->field);
  CV_ENGINE_OPTIONS(CV_SET_ENGINE_OPTION)
#undef CV_SET_ENGINE_OPTION
  return absl::InvalidArgumentError("--" + std::string(name) + ": not an option of the engine");
}

}  // namespace cv::probe
