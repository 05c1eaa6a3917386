#pragma once

#include <string_view>

namespace cv {

// The languages of titles, remediation and test messages.
enum class Lang { kEn, kDe };

// "en", "en-US", "" -> kEn; "de", "de-DE", "de_AT" -> kDe. Anything else is not supported.
inline bool ParseLang(std::string_view code, Lang* out) {
  auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; };
  if (code.empty()) {
    *out = Lang::kEn;
    return true;
  }
  if (code.size() < 2 || (code.size() > 2 && code[2] != '-' && code[2] != '_')) return false;
  const char a = lower(code[0]), b = lower(code[1]);
  if (a == 'e' && b == 'n') {
    *out = Lang::kEn;
  } else if (a == 'd' && b == 'e') {
    *out = Lang::kDe;
  } else {
    return false;
  }
  return true;
}

}  // namespace cv
