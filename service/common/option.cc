#include "common/option.h"

#include <utility>

#include "absl/flags/marshalling.h"

namespace cv {
namespace {

template <typename T>
absl::Status Parse(std::string_view name, std::string_view text, T* out) {
  // Into a copy: absl may leave a half-parsed value behind, and a refused text must not change
  // the option.
  T value{};
  std::string error;
  if (absl::ParseFlag(absl::string_view(text.data(), text.size()), &value, &error)) {
    *out = std::move(value);
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError("--" + std::string(name) + "=" + std::string(text) + ": " +
                                    error);
}

}  // namespace

absl::Status ParseOption(std::string_view name, std::string_view text, bool* out) {
  return Parse(name, text, out);
}

absl::Status ParseOption(std::string_view name, std::string_view text, int* out) {
  return Parse(name, text, out);
}

absl::Status ParseOption(std::string_view name, std::string_view text, std::string* out) {
  return Parse(name, text, out);
}

}  // namespace cv
