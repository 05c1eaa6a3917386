#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/secret.h"

namespace cv::state {

// The secret key under which everything the shared store holds is named: accounts, rejected
// passwords, request ids and quota subjects become HMAC-SHA256 digests, so that the store (and
// anyone who reads it) learns neither a username nor a password, and a digest cannot be
// reversed by trying common passwords without the key. All replicas that share a store must
// share the key (--state_key_file).
class Keyring {
 public:
  // At least 32 bytes, read whole (a trailing newline is part of the key; that is fine as long
  // as every replica reads the same file).
  static absl::StatusOr<Keyring> FromFile(const std::string& path);
  // 32 random bytes: for the in-process store, whose digests never leave the process.
  static Keyring Random();

  // Lowercase hex of HMAC-SHA256(key, domain || parts), each length-prefixed so that no two
  // different part lists give the same input. `hex_chars` truncates (even, at most 64).
  std::string Mac(std::string_view domain, std::initializer_list<std::string_view> parts,
                  size_t hex_chars = 64) const;

 private:
  explicit Keyring(Secret key) : key_(std::move(key)) {}
  Secret key_;
};

}  // namespace cv::state
