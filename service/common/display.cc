#include "common/display.h"

#include <cstdint>
#include <cstdio>

namespace cv {
namespace {

bool IsContinuation(uint8_t b) { return (b & 0xC0) == 0x80; }

}  // namespace

void NextDisplayUnit(std::string_view in, size_t* pos, std::string* unit) {
  unit->clear();
  const uint8_t b0 = static_cast<uint8_t>(in[*pos]);
  char buf[16];
  if (b0 >= 0x20 && b0 < 0x7F) {
    unit->push_back(static_cast<char>(b0));
    ++*pos;
    return;
  }
  // Length and the allowed range of the second byte of a well-formed sequence (RFC 3629
  // section 4): this rules out overlong forms, surrogates and code points above U+10FFFF.
  size_t len = 0;
  uint8_t lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  }
  bool ok = len > 0 && *pos + len <= in.size();
  if (ok) {
    const uint8_t b1 = static_cast<uint8_t>(in[*pos + 1]);
    ok = b1 >= lo && b1 <= hi;
    for (size_t i = 2; ok && i < len; ++i) ok = IsContinuation(static_cast<uint8_t>(in[*pos + i]));
  }
  if (!ok) {
    std::snprintf(buf, sizeof(buf), "\\x%02x", b0);
    unit->append(buf);
    ++*pos;
    return;
  }
  uint32_t cp = b0 & (0xFF >> (len + 1));
  for (size_t i = 1; i < len; ++i) cp = (cp << 6) | (static_cast<uint8_t>(in[*pos + i]) & 0x3F);
  const bool deceptive = (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
                         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
  if (deceptive) {
    std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned>(cp));
    unit->append(buf);
  } else {
    unit->append(in.substr(*pos, len));
  }
  *pos += len;
}

std::string SanitizeForDisplay(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::string unit;
  size_t pos = 0;
  while (pos < text.size()) {
    NextDisplayUnit(text, &pos, &unit);
    out += unit;
  }
  return out;
}

}  // namespace cv
