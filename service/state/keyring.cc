#include "state/keyring.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstdint>
#include <fstream>
#include <iterator>

#include "absl/strings/str_cat.h"

namespace cv::state {

absl::StatusOr<Keyring> Keyring::FromFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read ", path));
  std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (key.size() < 32) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " holds ", key.size(),
                     " bytes; the key needs at least 32 (e.g. openssl rand -base64 48)"));
  }
  return Keyring(Secret(std::move(key)));
}

Keyring Keyring::Random() {
  std::string key(32, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size()));
  return Keyring(Secret(std::move(key)));
}

std::string Keyring::Mac(std::string_view domain, std::initializer_list<std::string_view> parts,
                         size_t hex_chars) const {
  std::string input;
  auto add = [&input](std::string_view part) {
    const uint32_t size = static_cast<uint32_t>(part.size());
    input.append(reinterpret_cast<const char*>(&size), sizeof size);
    input.append(part);
  };
  add(domain);
  for (std::string_view part : parts) add(part);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  const std::string_view key = key_.Reveal();
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest, &length);
  // The input holds the password for password MACs: wipe it before it is freed.
  volatile char* p = input.data();
  for (size_t i = 0; i < input.size(); ++i) p[i] = 0;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  if (hex_chars < hex.size()) hex.resize(hex_chars);
  return hex;
}

}  // namespace cv::state
