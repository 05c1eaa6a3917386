#pragma once

#include <string>
#include <string_view>

namespace cv::rpc {

// Who an AUTH budget belongs to: one mailbox at one server, however the caller spelled it.
//
// - The username is trimmed of Unicode white space and NFKC-case-folded (ICU's
//   NFKC_Casefold: "Case@Example.TEST", "case@example.test " and a full-width "ｃａｓｅ@…" are one
//   account). A server that treats two of these as different accounts shares one budget among
//   them: the safe side of a lockout.
// - The server is its provider for the known provider hosts (every Microsoft 365 / Outlook.com
//   submission name is "microsoft", every Google one "google"), otherwise the host name in
//   lower case without trailing dots, or the IP literal in its canonical form.
std::string CanonicalUsername(std::string_view username);
std::string ServerIdentity(std::string_view host);
// "server/username", e.g. "microsoft/jobs@example.com": the budget's key (the store only ever
// sees an HMAC of it) and what the AUTH_RATE_LIMITED error names.
std::string AccountKey(std::string_view host, std::string_view username);
// The same for a server identity already worked out (ServerIdentity, or what an IP literal is
// known to belong to).
std::string AccountKeyAt(std::string_view server, std::string_view username);

}  // namespace cv::rpc
