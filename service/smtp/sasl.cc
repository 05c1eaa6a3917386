#include "smtp/sasl.h"

#include "common/base64.h"

namespace cv::smtp {
namespace {

std::string WithCrlf(std::string line) {
  line += "\r\n";
  return line;
}

std::string_view TrimSpace(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string AuthPlain(std::string_view username, const Secret& password) {
  const std::string_view pass = password.Reveal();
  // NUL separates the fields (RFC 4616 section 2): inside one it would shift them.
  if (username.find('\0') != std::string_view::npos || pass.find('\0') != std::string_view::npos) {
    return "";
  }
  std::string message;
  message.reserve(username.size() + pass.size() + 2);
  message += '\0';
  message += username;
  message += '\0';
  message += pass;
  std::string line = WithCrlf("AUTH PLAIN " + Base64Encode(message));
  // The plain message held the password: do not leave it in freed heap memory.
  volatile char* p = message.data();
  for (size_t i = 0; i < message.size(); ++i) p[i] = 0;
  return line;
}

std::string AuthLoginStart() { return "AUTH LOGIN\r\n"; }

std::string AuthLoginUsername(std::string_view username) {
  return WithCrlf(Base64Encode(username));
}

std::string AuthLoginPassword(const Secret& password) {
  return WithCrlf(Base64Encode(password.Reveal()));
}

std::string AuthXoauth2(std::string_view user, const Secret& access_token) {
  const std::string_view token = access_token.Reveal();
  // \x01 separates the key-value pairs of the XOAUTH2 message.
  if (user.find('\x01') != std::string_view::npos || token.find('\x01') != std::string_view::npos) {
    return "";
  }
  std::string message = "user=";
  message += user;
  message +=
      "\x01"
      "auth=Bearer ";
  message += token;
  message += "\x01\x01";
  std::string line = WithCrlf("AUTH XOAUTH2 " + Base64Encode(message));
  volatile char* p = message.data();
  for (size_t i = 0; i < message.size(); ++i) p[i] = 0;
  return line;
}

std::string SaslEmptyResponse() { return "\r\n"; }

std::optional<std::string> DecodeChallenge(std::string_view reply_text) {
  return Base64Decode(TrimSpace(reply_text));
}

}  // namespace cv::smtp
