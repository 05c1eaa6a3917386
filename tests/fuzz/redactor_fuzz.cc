// common/redactor.h: a registered secret of 4 or more bytes, embedded in arbitrary bytes in
// plain form, in base64 (either alphabet, any alignment, with arbitrary bytes encoded around
// it), percent-escaped or JSON-escaped (alone or around its base64), never survives Scrub().
//
// The check is an independent, brute-force oracle: the output is cut at each "<redacted>"
// marker (a marker stands for what it replaced) and every piece is searched as is, after
// percent- and after JSON-unescaping, each of these also through a base64 decode of every run
// of base64 characters from each of its first four offsets (every alignment).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/base64.h"
#include "common/redactor.h"
#include "fuzz_input.h"

namespace {

using cv::Redactor;

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && Hex(s[i + 1]) >= 0 && Hex(s[i + 2]) >= 0) {
      out += static_cast<char>(Hex(s[i + 1]) * 16 + Hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

int32_t Hex4(std::string_view s, size_t i) {
  if (i + 4 > s.size()) return -1;
  int32_t v = 0;
  for (size_t k = 0; k < 4; ++k) {
    if (Hex(s[i + k]) < 0) return -1;
    v = v * 16 + Hex(s[i + k]);
  }
  return v;
}

std::string JsonDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out += s[i];
      continue;
    }
    const char e = s[i + 1];
    const std::string_view simple_from = "\"\\/bfnrt";
    const std::string_view simple_to = "\"\\/\b\f\n\r\t";
    if (const size_t k = simple_from.find(e); k != std::string_view::npos) {
      out += simple_to[k];
      ++i;
      continue;
    }
    const int32_t u = e == 'u' ? Hex4(s, i + 2) : -1;
    if (u < 0) {
      out += s[i];
      continue;
    }
    if (u >= 0xD800 && u <= 0xDBFF) {
      const int32_t lo = s.substr(i + 6, 2) == "\\u" ? Hex4(s, i + 8) : -1;
      if (lo >= 0xDC00 && lo <= 0xDFFF) {
        AppendUtf8(0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00), &out);
        i += 11;
        continue;
      }
    }
    AppendUtf8(static_cast<uint32_t>(u), &out);
    i += 5;
  }
  return out;
}

// Every byte string a base64 decoder could get out of a substring of `s` contains one of these.
std::vector<std::string> Base64Decodings(std::string_view s, std::string_view alphabet) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    if (alphabet.find(s[i]) == std::string_view::npos) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < s.size() && alphabet.find(s[end]) != std::string_view::npos) ++end;
    for (size_t start = i; start < i + 4 && start < end; ++start) {
      std::string bytes;
      uint32_t acc = 0;
      int bits = 0;
      for (size_t k = start; k < end; ++k) {
        acc = (acc << 6) | static_cast<uint32_t>(alphabet.find(s[k]));
        bits += 6;
        if (bits >= 8) {
          bits -= 8;
          bytes += static_cast<char>((acc >> bits) & 0xFF);
        }
        // A new group starts every 4 characters: drop the leftover bits there.
        if ((k - start) % 4 == 3) bits = 0, acc = 0;
      }
      out.push_back(std::move(bytes));
    }
    i = end;
  }
  return out;
}

constexpr std::string_view kStd =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrl =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

bool PlainOrBase64(std::string_view s, std::string_view secret) {
  if (s.find(secret) != std::string_view::npos) return true;
  for (std::string_view alphabet : {kStd, kUrl}) {
    for (const std::string& d : Base64Decodings(s, alphabet)) {
      if (d.find(secret) != std::string::npos) return true;
    }
  }
  return false;
}

bool Leaks(std::string_view piece, std::string_view secret) {
  return PlainOrBase64(piece, secret) || PlainOrBase64(PercentDecode(piece), secret) ||
         PlainOrBase64(JsonDecode(piece), secret);
}

std::string PercentEncode(std::string_view s, bool all) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    const auto b = static_cast<uint8_t>(c);
    const bool unreserved = (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') ||
                            (b >= '0' && b <= '9') || b == '-' || b == '.' || b == '_' || b == '~';
    if (!all && unreserved) {
      out += c;
    } else {
      out += '%';
      out += kHex[b >> 4];
      out += kHex[b & 15];
    }
  }
  return out;
}

std::string JsonEncode(std::string_view s, bool all) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (char c : s) {
    const auto b = static_cast<uint8_t>(c);
    if (c == '"' || c == '\\' || c == '/') {
      out += '\\';
      out += c;
    } else if (all || b < 0x20 || b >= 0x7F) {
      // Byte-wise \u00XX: what a careless encoder does with Latin-1 or raw bytes.
      out += "\\u00";
      out += kHex[b >> 4];
      out += kHex[b & 15];
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  cv::fuzz::FuzzInput in(data, size);
  const uint8_t form = in.Byte();
  const std::string secret = in.Field(48);
  const std::string before = in.Field(8);  // encoded together with the secret
  const std::string after = in.Field(8);
  const std::string decoy = in.Field(32);  // another registered secret
  const std::string prefix = in.Field(512);
  const std::string suffix(in.Rest().substr(0, 512));

  std::string inner = before + secret + after;
  std::string embedded;
  switch (form % 9) {
    case 0:
      embedded = inner;
      break;
    case 1:
      embedded = cv::Base64Encode(inner);
      break;
    case 2:
      embedded = cv::Base64UrlEncode(inner);
      break;
    case 3:
      embedded = PercentEncode(inner, (form & 0x10) != 0);
      break;
    case 4:
      embedded = JsonEncode(inner, (form & 0x10) != 0);
      break;
    case 5:
      embedded = PercentEncode(cv::Base64Encode(inner), true);
      break;
    case 6:
      embedded = JsonEncode(cv::Base64Encode(inner), (form & 0x10) != 0);
      break;
    case 7:
      embedded = before + cv::Base64Encode(secret) + after;
      break;
    default:
      embedded = before + PercentEncode(secret, false) + JsonEncode(secret, false) + after;
      break;
  }
  const std::string text = prefix + embedded + suffix;

  Redactor redactor;
  redactor.Add(decoy);
  redactor.Add(secret);
  const std::string out = redactor.Scrub(text);
  // Without secrets, text passes unchanged.
  CV_FUZZ_CHECK(Redactor().Scrub(text) == text);
  if (secret.size() < Redactor::kMinEncodedBytes) return 0;

  std::string_view rest = out;
  while (true) {
    const size_t marker = rest.find(Redactor::kMarker);
    CV_FUZZ_CHECK(!Leaks(rest.substr(0, marker), secret));
    if (marker == std::string_view::npos) break;
    rest.remove_prefix(marker + Redactor::kMarker.size());
  }
  return 0;
}
