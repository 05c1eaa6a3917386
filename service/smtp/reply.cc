#include "smtp/reply.h"

#include <string_view>

namespace cv::smtp {
namespace {

// Debian's Abseil (20220623) has its own absl::string_view that does not convert from
// std::string_view, so the little string work here is done by hand.
std::string_view StripLeadingWhitespace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

}  // namespace

std::string Reply::Text() const {
  std::string out;
  for (const std::string& line : lines) {
    std::string_view text = line;
    // Only a whole code counts: "5.7.1" must not eat the start of "5.7.139".
    if (!enhanced.empty() && text.starts_with(enhanced) &&
        (text.size() == enhanced.size() || text[enhanced.size()] == ' ' ||
         text[enhanced.size()] == '\t')) {
      text = StripLeadingWhitespace(text.substr(enhanced.size()));
    }
    if (!out.empty() && !text.empty()) out += ' ';
    out.append(text);
  }
  return out;
}

std::string Reply::Raw() const {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += '\n';
    out += std::to_string(code);
    const bool last = i + 1 == lines.size();
    // A bare "250" as the last line is shown as sent, without a dangling space.
    if (!last) {
      out += '-';
    } else if (!lines[i].empty()) {
      out += ' ';
    }
    out += lines[i];
  }
  if (lines.empty()) out = std::to_string(code);
  return out;
}

}  // namespace cv::smtp
