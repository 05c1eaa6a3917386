#include "support/received.h"

#include <fstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "support/process.h"

namespace cv::testing {

absl::StatusOr<std::map<std::string, std::string>> ReadReceived(const std::string& format,
                                                                const std::filesystem::path& file) {
  auto output = RunCommand(
      {CV_PYTHON, std::string(CV_SOURCE_DIR) + "/tests/peers/read_mail.py", format, file.string()});
  if (!output.ok()) return output.status();
  std::map<std::string, std::string> fields;
  for (absl::string_view line : absl::StrSplit(*output, '\n', absl::SkipEmpty())) {
    const size_t eq = line.find('=');
    std::string value;
    if (eq == absl::string_view::npos || !absl::Base64Unescape(line.substr(eq + 1), &value)) {
      return absl::InternalError(absl::StrCat("read_mail.py printed: ", line));
    }
    fields[std::string(line.substr(0, eq))] = value;
  }
  return fields;
}

absl::StatusOr<std::map<std::string, std::string>> ReadReceivedMime(
    const std::string& raw, const std::filesystem::path& dir) {
  const std::filesystem::path path = dir / "received.eml";
  std::ofstream(path, std::ios::binary) << raw;
  return ReadReceived("mime", path);
}

}  // namespace cv::testing
