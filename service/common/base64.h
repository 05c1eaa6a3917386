#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cv {

// Standard alphabet, with padding (RFC 4648 section 4): what SASL and MIME use.
std::string Base64Encode(std::string_view data);
// Accepts padded or unpadded input; std::nullopt on any character outside the alphabet.
std::optional<std::string> Base64Decode(std::string_view data);
// URL-safe alphabet without padding (RFC 4648 section 5): what the Gmail API's "raw" uses.
std::string Base64UrlEncode(std::string_view data);

}  // namespace cv
