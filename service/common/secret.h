#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace cv {

// A password or token. It cannot be printed: streaming or formatting it shows "<redacted>", and
// the only way to the bytes is the explicit, greppable Reveal(). Its memory is wiped on
// destruction so that a core dump of a long-running server holds as few secrets as possible.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  Secret(const Secret&) = default;
  Secret& operator=(const Secret&) = default;
  Secret(Secret&&) noexcept = default;
  Secret& operator=(Secret&&) noexcept = default;
  ~Secret() { Wipe(); }

  bool empty() const { return value_.empty(); }
  size_t size() const { return value_.size(); }
  // The secret itself, for the one place that must send it (SASL, HTTP form body).
  std::string_view Reveal() const { return value_; }

  friend std::ostream& operator<<(std::ostream& os, const Secret&) { return os << "<redacted>"; }
  template <typename Sink>
  friend void AbslStringify(Sink& sink, const Secret&) {
    sink.Append("<redacted>");
  }

 private:
  void Wipe() {
    volatile char* p = value_.data();
    for (size_t i = 0; i < value_.size(); ++i) p[i] = 0;
  }
  std::string value_;
};

}  // namespace cv
