#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

// Structured logs: one JSON object per line on stdout, written with a single write(2) so lines
// from different threads never interleave. Callers pass only what may be seen: no secret type
// converts to a field.
namespace cv::log {

enum class Level { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

void SetLevel(Level level);
bool ParseLevel(std::string_view text, Level* level);
bool Enabled(Level level);

// A field value: a string (escaped), or a number / bool written as is.
struct Value {
  Value(std::string_view s) : text(s), quoted(true) {}
  Value(const std::string& s) : text(s), quoted(true) {}
  Value(const char* s) : text(s), quoted(true) {}
  Value(long long n) : text(std::to_string(n)), quoted(false) {}
  Value(int n) : text(std::to_string(n)), quoted(false) {}
  Value(long n) : text(std::to_string(n)), quoted(false) {}
  Value(unsigned long n) : text(std::to_string(n)), quoted(false) {}
  Value(unsigned n) : text(std::to_string(n)), quoted(false) {}
  Value(double d);
  Value(bool b) : text(b ? "true" : "false"), quoted(false) {}
  std::string text;
  bool quoted;
};

void Write(Level level, std::string_view message,
           std::initializer_list<std::pair<std::string_view, Value>> fields = {});

inline void Info(std::string_view m,
                 std::initializer_list<std::pair<std::string_view, Value>> f = {}) {
  Write(Level::kInfo, m, f);
}
inline void Warning(std::string_view m,
                    std::initializer_list<std::pair<std::string_view, Value>> f = {}) {
  Write(Level::kWarning, m, f);
}
inline void Error(std::string_view m,
                  std::initializer_list<std::pair<std::string_view, Value>> f = {}) {
  Write(Level::kError, m, f);
}

// JSON string escaping (also used for anything that must stay valid JSON).
std::string JsonEscape(std::string_view s);

}  // namespace cv::log
