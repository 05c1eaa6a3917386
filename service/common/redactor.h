#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/secret.h"

namespace cv {

// The one redaction path of a call. Every byte string the client makes that carries a secret
// (password, SASL line, XOAUTH2 blob, tokens, client secret) is registered with Add() when it is
// made; everything a server sends goes through Scrub() before it is stored anywhere.
//
// Scrub() finds a registered secret in its plain form, in base64 (standard or URL alphabet, at
// each of the three byte alignments: any run of base64 that decodes to text containing the
// secret), and inside percent-escaped (%XX) or JSON-escaped (\uXXXX, \/, ...) text, in any
// combination of one escaping with plain or base64. Each such occurrence becomes "<redacted>".
// Base64 forms are matched only for secrets of kMinEncodedBytes or more: shorter ones would
// match by chance everywhere. Thread-safe.
class Redactor {
 public:
  static constexpr size_t kMinEncodedBytes = 4;
  static constexpr std::string_view kMarker = "<redacted>";

  Redactor() = default;
  Redactor(const Redactor&) = delete;
  Redactor& operator=(const Redactor&) = delete;

  // Registers `secret` (ignored when empty or already known). The bytes are copied into wiped
  // storage.
  void Add(std::string_view secret);
  void Add(const Secret& secret) { Add(secret.Reveal()); }

  // `text` with every registered secret, in any of the forms above, replaced by the marker.
  std::string Scrub(std::string_view text) const;
  // Scrub(), then at most `max_bytes` bytes of the result (cut only after the scrub, so a cut
  // never leaves half a secret that the whole-secret match would have caught).
  std::string ScrubAndCut(std::string_view text, size_t max_bytes) const;

  bool empty() const;

 private:
  struct Pattern {
    Secret bytes;
    bool base64 = false;  // compare '-' as '+' and '_' as '/'
  };
  mutable std::mutex mu_;
  std::vector<Secret> secrets_;
  std::vector<Pattern> patterns_;
};

}  // namespace cv
