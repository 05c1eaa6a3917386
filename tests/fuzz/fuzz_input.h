// Helpers shared by the fuzz targets: a reader that splits libFuzzer's bytes into typed
// values, and the check that stops a run loudly when a promised property does not hold.
//
// Written for both compilers: the corpus tests build these targets with the preset's normal
// compiler (gcc in debug), where clang's FuzzedDataProvider header is not on the path.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace cv::fuzz {

// A property violation is a finding like a crash: abort so libFuzzer saves the input and the
// corpus test fails.
#define CV_FUZZ_CHECK(cond)                                                              \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)

// Takes values from the front of the input; once it runs dry every value is zero/empty, so a
// target never reads past the end whatever it asks for.
class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : rest_(reinterpret_cast<const char*>(data), size) {}

  uint8_t Byte() {
    if (rest_.empty()) return 0;
    const auto b = static_cast<uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }
  uint16_t U16() { return static_cast<uint16_t>(Byte() | (Byte() << 8)); }
  uint32_t U32() { return static_cast<uint32_t>(U16()) | (static_cast<uint32_t>(U16()) << 16); }
  uint64_t U64() { return static_cast<uint64_t>(U32()) | (static_cast<uint64_t>(U32()) << 32); }
  bool Bool() { return (Byte() & 1) != 0; }

  // A string of at most `max` bytes that ends at the next "\xff" separator (consumed), so the
  // fuzzer can grow one field without shifting the others.
  std::string Field(size_t max = 4096) {
    const size_t end = rest_.find('\xff');
    const size_t n = std::min({end == std::string_view::npos ? rest_.size() : end, max});
    std::string out(rest_.substr(0, n));
    rest_.remove_prefix(n);
    if (!rest_.empty() && rest_.front() == '\xff') rest_.remove_prefix(1);
    return out;
  }
  // Everything that is left.
  std::string_view Rest() {
    std::string_view out = rest_;
    rest_ = {};
    return out;
  }
  bool empty() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

// True when `s` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
inline bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      n = 1, cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2, cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    for (size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

}  // namespace cv::fuzz
