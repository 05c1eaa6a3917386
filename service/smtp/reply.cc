#include "smtp/reply.h"

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace cv::smtp {

std::string Reply::Text() const {
  std::string out;
  for (const std::string& line : lines) {
    absl::string_view text = line;
    if (!enhanced.empty() && absl::ConsumePrefix(&text, enhanced)) {
      text = absl::StripLeadingAsciiWhitespace(text);
    }
    if (!out.empty() && !text.empty()) out += ' ';
    out.append(text.data(), text.size());
  }
  return out;
}

std::string Reply::Raw() const {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += '\n';
    out += std::to_string(code);
    out += (i + 1 < lines.size()) ? '-' : ' ';
    out += lines[i];
  }
  if (lines.empty()) out = std::to_string(code);
  return out;
}

}  // namespace cv::smtp
