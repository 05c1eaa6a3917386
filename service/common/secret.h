#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace cv {

// A password or token. It cannot be printed: streaming or formatting it shows "<redacted>", and
// the only way to the bytes is the explicit, greppable Reveal(). Its memory is wiped when it is
// freed or overwritten so that a core dump of a long-running server holds as few secrets as
// possible. The whole capacity is wiped, not the size: a short secret lives inside the string
// object (the small-string buffer), and a moved-from string keeps those bytes with size 0.
class Secret {
 public:
  Secret() = default;
  // Takes the caller's string and wipes what its buffer kept (a short one keeps its bytes).
  explicit Secret(std::string&& value) : value_(std::move(value)) { WipeString(value); }
  Secret(const Secret&) = default;
  Secret& operator=(const Secret& other) {
    if (this != &other) {
      Wipe();
      value_ = other.value_;
    }
    return *this;
  }
  Secret(Secret&& other) noexcept : value_(std::move(other.value_)) { other.Wipe(); }
  Secret& operator=(Secret&& other) noexcept {
    if (this != &other) {
      Wipe();
      value_ = std::move(other.value_);
      other.Wipe();
    }
    return *this;
  }
  ~Secret() { Wipe(); }

  // Overwrites all of `s`'s buffer (capacity, not only size) with zeros and empties it: for
  // the copies of a secret that are not a Secret (a request field once read, a SASL line).
  static void WipeString(std::string& s) {
    volatile char* p = s.data();
    for (size_t i = 0; i < s.capacity(); ++i) p[i] = 0;
    s.clear();
  }

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
  void Wipe() { WipeString(value_); }
  std::string value_;
};

}  // namespace cv
