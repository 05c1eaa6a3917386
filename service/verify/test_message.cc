#include "verify/test_message.h"

#include <openssl/rand.h>

#include <array>
#include <chrono>
#include <ctime>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace cv::verify {

namespace {

// Unpredictable ids: a Message-ID or correlation id that could be guessed would let anyone
// forge "this test arrived" answers.
std::array<unsigned char, 16> RandomBytes() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    absl::BitGen gen;
    for (auto& b : bytes) b = absl::Uniform<unsigned char>(gen);
  }
  return bytes;
}

std::string Hex(const unsigned char* data, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kHex[data[i] >> 4]);
    out.push_back(kHex[data[i] & 0x0f]);
  }
  return out;
}

// RFC 9562 version 4 layout, so log search tools recognise it.
std::string NewCorrelationId() {
  auto b = RandomBytes();
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  return absl::StrCat(Hex(&b[0], 4), "-", Hex(&b[4], 2), "-", Hex(&b[6], 2), "-", Hex(&b[8], 2),
                      "-", Hex(&b[10], 6));
}

}  // namespace

mail::TestMessage NewTestMessage(const std::string& from, const std::string& to, Lang lang,
                                 const std::string& channel) {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  const auto random = RandomBytes();
  mail::TestMessageParams params;
  params.from = from;
  params.to = to;
  params.lang = lang;
  params.date = now;
  params.unique =
      absl::StrFormat("%04d%02d%02d%02d%02d%02d.%s", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                      tm.tm_hour, tm.tm_min, tm.tm_sec, Hex(random.data(), random.size()));
  params.correlation_id = NewCorrelationId();
  params.channel = channel;
  return mail::BuildTestMessage(params);
}

}  // namespace cv::verify
