// What a peer received, read by independent parsers (tests/peers/read_mail.py: Python's email
// package and its strict json), field by field, for the SendTest tests.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace cv::testing {

// `format` is "mime" (an RFC 5322 message), "gmail" (a users.messages.send body) or "graph" (a
// sendMail body); see read_mail.py for the fields each gives.
absl::StatusOr<std::map<std::string, std::string>> ReadReceived(const std::string& format,
                                                                const std::filesystem::path& file);

// The same for a message held in memory: written to `dir` first.
absl::StatusOr<std::map<std::string, std::string>> ReadReceivedMime(
    const std::string& raw, const std::filesystem::path& dir);

}  // namespace cv::testing
