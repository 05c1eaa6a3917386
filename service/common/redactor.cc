#include "common/redactor.h"

#include <algorithm>
#include <cstdint>

#include "common/base64.h"

namespace cv {
namespace {

// A decoded rendering of the text (percent- or JSON-unescaped) with, for each of its bytes, the
// range of the original text it came from, so that a match in the view redacts the original.
struct View {
  std::string bytes;
  std::vector<size_t> from;  // original start of each byte
  std::vector<size_t> to;    // original end (exclusive) of each byte
  void Push(char c, size_t begin, size_t end) {
    bytes.push_back(c);
    from.push_back(begin);
    to.push_back(end);
  }
};

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

View PercentView(std::string_view text) {
  View v;
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '%' && i + 2 < text.size() && Hex(text[i + 1]) >= 0 && Hex(text[i + 2]) >= 0) {
      v.Push(static_cast<char>(Hex(text[i + 1]) * 16 + Hex(text[i + 2])), i, i + 3);
      i += 3;
    } else {
      v.Push(text[i], i, i + 1);
      ++i;
    }
  }
  return v;
}

// Four hex digits at text[i..i+4), or -1.
int32_t Hex4(std::string_view text, size_t i) {
  if (i + 4 > text.size()) return -1;
  int32_t v = 0;
  for (size_t k = 0; k < 4; ++k) {
    const int h = Hex(text[i + k]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

void PushUtf8(View* v, uint32_t cp, size_t begin, size_t end) {
  char buf[4];
  size_t n = 0;
  if (cp < 0x80) {
    buf[n++] = static_cast<char>(cp);
  } else if (cp < 0x800) {
    buf[n++] = static_cast<char>(0xC0 | (cp >> 6));
    buf[n++] = static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    buf[n++] = static_cast<char>(0xE0 | (cp >> 12));
    buf[n++] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    buf[n++] = static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    buf[n++] = static_cast<char>(0xF0 | (cp >> 18));
    buf[n++] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    buf[n++] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    buf[n++] = static_cast<char>(0x80 | (cp & 0x3F));
  }
  for (size_t k = 0; k < n; ++k) v->Push(buf[k], begin, end);
}

View JsonView(std::string_view text) {
  View v;
  for (size_t i = 0; i < text.size();) {
    if (text[i] != '\\' || i + 1 >= text.size()) {
      v.Push(text[i], i, i + 1);
      ++i;
      continue;
    }
    const char e = text[i + 1];
    char simple = 0;
    switch (e) {
      case '"':
      case '\\':
      case '/':
        simple = e;
        break;
      case 'b':
        simple = '\b';
        break;
      case 'f':
        simple = '\f';
        break;
      case 'n':
        simple = '\n';
        break;
      case 'r':
        simple = '\r';
        break;
      case 't':
        simple = '\t';
        break;
      default:
        break;
    }
    if (simple != 0) {
      v.Push(simple, i, i + 2);
      i += 2;
      continue;
    }
    const int32_t u = e == 'u' ? Hex4(text, i + 2) : -1;
    if (u < 0) {
      v.Push(text[i], i, i + 1);
      ++i;
      continue;
    }
    // A surrogate pair is one code point; a lone surrogate stands for nothing a secret holds.
    if (u >= 0xD800 && u <= 0xDBFF && i + 12 <= text.size() && text[i + 6] == '\\' &&
        text[i + 7] == 'u') {
      const int32_t lo = Hex4(text, i + 8);
      if (lo >= 0xDC00 && lo <= 0xDFFF) {
        PushUtf8(&v,
                 0x10000 + ((static_cast<uint32_t>(u) - 0xD800) << 10) +
                     (static_cast<uint32_t>(lo) - 0xDC00),
                 i, i + 12);
        i += 12;
        continue;
      }
    }
    PushUtf8(&v, static_cast<uint32_t>(u), i, i + 6);
    i += 6;
  }
  return v;
}

bool IsBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/' || c == '-' || c == '_';
}

char Base64Canonical(char c) {
  if (c == '-') return '+';
  if (c == '_') return '/';
  return c;
}

bool MatchesAt(std::string_view hay, size_t at, std::string_view pattern, bool base64) {
  if (at + pattern.size() > hay.size()) return false;
  if (!base64) return hay.compare(at, pattern.size(), pattern) == 0;
  for (size_t k = 0; k < pattern.size(); ++k) {
    if (Base64Canonical(hay[at + k]) != pattern[k]) return false;
  }
  return true;
}

// The base64 characters of `secret` placed `align` bytes into a 3-byte group, without the
// characters that also carry bits of the bytes before or after it: whatever surrounds the
// secret, an encoding of it at that alignment contains these characters.
std::string Base64Core(std::string_view secret, size_t align) {
  std::string padded(align, '\0');
  padded += secret;
  std::string encoded = Base64Encode(padded);
  std::fill(padded.begin(), padded.end(), '\0');
  encoded.erase(encoded.find_last_not_of('=') + 1);
  static constexpr size_t kLead[] = {0, 2, 3};
  const size_t drop_tail = padded.size() % 3 == 0 ? 0 : 1;
  std::string core = encoded.substr(kLead[align], encoded.size() - kLead[align] - drop_tail);
  std::fill(encoded.begin(), encoded.end(), '\0');
  return core;
}

}  // namespace

void Redactor::Add(std::string_view secret) {
  if (secret.empty()) return;
  std::lock_guard lock(mu_);
  for (const Secret& s : secrets_) {
    if (s.Reveal() == secret) return;
  }
  secrets_.emplace_back(std::string(secret));
  patterns_.push_back(Pattern{Secret(std::string(secret)), false});
  if (secret.size() < kMinEncodedBytes) return;
  for (size_t align = 0; align < 3; ++align) {
    patterns_.push_back(Pattern{Secret(Base64Core(secret, align)), true});
  }
}

bool Redactor::empty() const {
  std::lock_guard lock(mu_);
  return secrets_.empty();
}

std::string Redactor::Scrub(std::string_view text) const {
  std::lock_guard lock(mu_);
  if (patterns_.empty() || text.empty()) return std::string(text);
  std::vector<bool> hit(text.size(), false);
  // A base64 match takes the whole run of base64 around it (and its padding): the bits of the
  // secret at its edges, and, in an echoed SASL blob, the rest of that blob.
  auto mark = [&](size_t begin, size_t end, bool base64) {
    if (base64) {
      while (begin > 0 && IsBase64Char(text[begin - 1])) --begin;
      while (end < text.size() && IsBase64Char(text[end])) ++end;
      while (end < text.size() && text[end] == '=') ++end;
    }
    for (size_t k = begin; k < end; ++k) hit[k] = true;
  };
  for (const Pattern& p : patterns_) {
    const std::string_view pat = p.bytes.Reveal();
    for (size_t i = 0; i + pat.size() <= text.size(); ++i) {
      if (MatchesAt(text, i, pat, p.base64)) mark(i, i + pat.size(), p.base64);
    }
  }
  // Escaped renderings: only when the text holds an escape at all.
  std::vector<View> views;
  if (text.find('%') != std::string_view::npos) views.push_back(PercentView(text));
  if (text.find('\\') != std::string_view::npos) views.push_back(JsonView(text));
  for (View& v : views) {
    for (const Pattern& p : patterns_) {
      const std::string_view pat = p.bytes.Reveal();
      for (size_t i = 0; i + pat.size() <= v.bytes.size(); ++i) {
        if (MatchesAt(v.bytes, i, pat, p.base64)) {
          mark(v.from[i], v.to[i + pat.size() - 1], p.base64);
        }
      }
    }
    std::fill(v.bytes.begin(), v.bytes.end(), '\0');
  }
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (!hit[i]) {
      out += text[i];
    } else if (i == 0 || !hit[i - 1]) {
      out += kMarker;
    }
  }
  return out;
}

std::string Redactor::ScrubAndCut(std::string_view text, size_t max_bytes) const {
  std::string out = Scrub(text);
  if (out.size() > max_bytes) out.resize(max_bytes);
  return out;
}

}  // namespace cv
