#include "scrub.h"

#include <algorithm>

namespace channelverify::scrub {
namespace {

constexpr std::string_view kStd =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrl =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Base64 of `bytes` without padding: one character per 6 bits, the last one zero-filled.
std::string Encode(std::string_view bytes, std::string_view alphabet) {
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += alphabet[(acc >> bits) & 0x3F];
    }
  }
  if (bits > 0) out += alphabet[(acc << (6 - bits)) & 0x3F];
  return out;
}

// `all`: every byte but letters and digits encoded, as some encoders do; else RFC 3986's
// unreserved characters stay as they are.
std::string Percent(std::string_view s, bool lower, bool all) {
  static constexpr char kUpper[] = "0123456789ABCDEF", kLower[] = "0123456789abcdef";
  const char* hex = lower ? kLower : kUpper;
  std::string out;
  for (unsigned char c : s) {
    const bool unreserved = c == '-' || c == '.' || c == '_' || c == '~';
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
        (unreserved && !all)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xF];
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> FormsOf(std::string_view secret) {
  std::vector<std::string> forms;
  if (secret.size() < 4) return forms;
  forms.emplace_back(secret);
  for (bool lower : {false, true}) {
    for (bool all : {false, true}) forms.push_back(Percent(secret, lower, all));
  }
  for (size_t offset = 0; offset < 3; ++offset) {
    const std::string padded = std::string(offset, '\0') + std::string(secret);
    // Character i holds bits [6i, 6i + 6): those inside the secret's bits [8 * offset,
    // 8 * (offset + size)) are the same whatever surrounds it.
    const size_t first = (8 * offset + 5) / 6;
    const size_t end = 8 * (offset + secret.size()) / 6;
    for (std::string_view alphabet : {kStd, kUrl}) {
      const std::string encoded = Encode(padded, alphabet);
      if (end > first + 5) forms.push_back(encoded.substr(first, end - first));
    }
  }
  std::sort(forms.begin(), forms.end(), [](const std::string& a, const std::string& b) {
    // Longest first, so that a form inside a longer one does not break it up.
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  });
  forms.erase(std::unique(forms.begin(), forms.end()), forms.end());
  return forms;
}

std::string Scrub(std::string_view text, const std::vector<std::string>& forms) {
  std::string out(text);
  for (const std::string& form : forms) {
    if (form.empty()) continue;
    for (size_t at = out.find(form); at != std::string::npos; at = out.find(form, at)) {
      out.replace(at, form.size(), "<redacted>");
      at += 10;
    }
  }
  return out;
}

}  // namespace channelverify::scrub
