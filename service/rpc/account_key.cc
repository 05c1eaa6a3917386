#include "rpc/account_key.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <boost/asio/ip/address.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "verify/provider.h"

namespace cv::rpc {

std::string CanonicalUsername(std::string_view username) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* fold = icu::Normalizer2::getNFKCCasefoldInstance(status);
  icu::UnicodeString text =
      icu::UnicodeString::fromUTF8(icu::StringPiece(username.data(), username.size()));
  std::string out;
  if (U_SUCCESS(status) && fold != nullptr) {
    icu::UnicodeString folded = fold->normalize(text, status);
    if (U_SUCCESS(status)) text = folded;
  }
  if (U_FAILURE(status)) {
    // Not expected (ICU's data ships with the library); ASCII folding still shares budgets.
    out = absl::AsciiStrToLower(Av(username));
  } else {
    // Trimmed after folding: NFKC turns some spaces (e.g. U+3000) into plain ones.
    int32_t begin = 0;
    int32_t end = text.length();
    while (begin < end && u_isUWhiteSpace(text.char32At(begin))) begin = text.moveIndex32(begin, 1);
    while (end > begin && u_isUWhiteSpace(text.char32At(text.moveIndex32(end, -1)))) {
      end = text.moveIndex32(end, -1);
    }
    text.tempSubStringBetween(begin, end).toUTF8String(out);
    return out;
  }
  return std::string(absl::StripAsciiWhitespace(out));
}

std::string ServerIdentity(std::string_view host) {
  std::string h = absl::AsciiStrToLower(absl::StripAsciiWhitespace(Av(host)));
  while (!h.empty() && h.back() == '.') h.pop_back();
  if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(h, ec);
  if (!ec) {
    // ::ffff:192.0.2.1 and 192.0.2.1 are one server.
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
      return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6())
          .to_string();
    }
    return address.to_string();
  }
  switch (verify::ProviderFromHost(h)) {
    case channelverify::v1::PROVIDER_MICROSOFT:
      return "microsoft";
    case channelverify::v1::PROVIDER_GOOGLE:
      return "google";
    default:
      return h;
  }
}

std::string AccountKey(std::string_view host, std::string_view username) {
  return AccountKeyAt(ServerIdentity(host), username);
}

std::string AccountKeyAt(std::string_view server, std::string_view username) {
  return absl::StrCat(Av(server), "/", CanonicalUsername(username));
}

}  // namespace cv::rpc
