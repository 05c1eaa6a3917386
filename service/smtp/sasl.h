#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/secret.h"

// SASL client messages for SMTP AUTH (RFC 4954). Each function returns a complete line with CRLF.
// The result contains the secret: send it, never log it (Transcript records "<redacted>").
namespace cv::smtp {

// "AUTH PLAIN <base64(\0user\0password)>" with the initial response (RFC 4616); the
// authorization identity is left empty. "" if username or password contains NUL, which would
// shift the fields.
std::string AuthPlain(std::string_view username, const Secret& password);
// "AUTH LOGIN"; then the base64 username and password answers to the two 334 challenges.
std::string AuthLoginStart();
std::string AuthLoginUsername(std::string_view username);
std::string AuthLoginPassword(const Secret& password);
// "AUTH XOAUTH2 <base64(user=U\x01auth=Bearer T\x01\x01)>". "" if user or token contains
// \x01, the field separator.
std::string AuthXoauth2(std::string_view user, const Secret& access_token);
// The empty line that answers Google's 334 error challenge.
std::string SaslEmptyResponse();

// Decodes a 334 challenge text (base64; surrounding whitespace ignored, "" for an empty
// challenge), std::nullopt if it is not base64. Google's XOAUTH2 error challenge is base64 JSON
// like
// {"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}.
std::optional<std::string> DecodeChallenge(std::string_view reply_text);

}  // namespace cv::smtp
