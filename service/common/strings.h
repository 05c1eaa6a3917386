#pragma once

#include <string_view>

#include "absl/strings/string_view.h"

// Debian's Abseil 20220623 is built with its own absl::string_view (ABSL_OPTION_USE_STD_STRING_VIEW
// is 0), which does not convert from std::string_view. These two adapters keep our interfaces on
// std::string_view without copying at the seams.
namespace cv {

inline absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }
inline std::string_view Sv(absl::string_view s) { return std::string_view(s.data(), s.size()); }

}  // namespace cv
