// Defence in depth for reports: the service already redacts what servers echo back, but a
// report is handed on to other people, so the renderer removes the request's own secrets from
// every server-supplied text once more. Internal to the client library.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace channelverify::scrub {

// The forms in which `secret` could come back inside a server's text: as is, percent-encoded,
// and in base64 (standard and URL alphabets) at each of the three byte alignments it could have
// inside a longer encoded blob (AUTH PLAIN's "\0user\0password", XOAUTH2's "auth=Bearer ..."),
// i.e. the encoded characters that depend on the secret's bytes alone. Secrets shorter than
// four bytes give none: removing them from every text would destroy the text, not protect it.
std::vector<std::string> FormsOf(std::string_view secret);

// `text` with every occurrence of any of `forms` replaced by "<redacted>".
std::string Scrub(std::string_view text, const std::vector<std::string>& forms);

}  // namespace channelverify::scrub
