#include "smtp/commands.h"

#include <algorithm>
#include <charconv>

#include "smtp/transcript.h"

namespace cv::smtp {
namespace {

// The bytes that could end a command early and start one of the caller's choosing.
bool Injectable(std::string_view arg) {
  return arg.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

std::string Line(std::string_view verb, std::string_view arg) {
  std::string out(verb);
  out += arg;
  out += "\r\n";
  return out;
}

char Upper(char c) { return (c >= 'a' && c <= 'z') ? char(c - 'a' + 'A') : c; }

std::string ToUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Upper(c);
  return out;
}

bool IsAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-") (RFC 5321 4.1.1.1).
bool IsKeyword(std::string_view s) {
  if (s.empty() || !IsAlnum(s[0])) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return IsAlnum(c) || c == '-'; });
}

// SASL mechanism names: 1 to 20 of A-Z, 0-9, "-", "_" (RFC 4422 3.1); accepted in any case.
bool IsMechanism(std::string_view s) {
  if (s.empty() || s.size() > 20) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return IsAlnum(c) || c == '-' || c == '_'; });
}

std::vector<std::string_view> Words(std::string_view s) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    const size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > start) words.push_back(s.substr(start, i - start));
  }
  return words;
}

void AddUnique(std::vector<std::string>* list, std::string value) {
  if (std::find(list->begin(), list->end(), value) == list->end())
    list->push_back(std::move(value));
}

}  // namespace

std::string Ehlo(std::string_view domain) {
  if (domain.empty() || Injectable(domain)) return "";
  return Line("EHLO ", domain);
}

std::string Helo(std::string_view domain) {
  if (domain.empty() || Injectable(domain)) return "";
  return Line("HELO ", domain);
}

std::string StartTls() { return "STARTTLS\r\n"; }
std::string Quit() { return "QUIT\r\n"; }
std::string Rset() { return "RSET\r\n"; }
std::string Data() { return "DATA\r\n"; }

std::string MailFrom(std::string_view address, std::optional<uint64_t> size, bool smtputf8) {
  if (Injectable(address)) return "";
  std::string out = "MAIL FROM:<";
  out += address;
  out += '>';
  if (size.has_value()) {
    out += " SIZE=";
    out += std::to_string(*size);
  }
  if (smtputf8) out += " SMTPUTF8";
  out += "\r\n";
  return out;
}

std::string RcptTo(std::string_view address) {
  if (address.empty() || Injectable(address)) return "";
  std::string out = "RCPT TO:<";
  out += address;
  out += ">\r\n";
  return out;
}

bool Capabilities::HasAuth(std::string_view mechanism) const {
  const std::string wanted = ToUpper(mechanism);
  return std::find(auth_mechanisms.begin(), auth_mechanisms.end(), wanted) != auth_mechanisms.end();
}

Capabilities ParseEhlo(const Reply& reply) {
  Capabilities caps;
  if (reply.code != 250 || reply.lines.empty()) return caps;
  const std::vector<std::string_view> greeting = Words(reply.lines[0]);
  if (!greeting.empty()) caps.server_name = SanitizeForDisplay(greeting[0]);
  for (size_t i = 1; i < reply.lines.size(); ++i) {
    const std::vector<std::string_view> words = Words(reply.lines[i]);
    if (words.empty()) continue;
    std::string_view keyword = words[0];
    std::vector<std::string_view> params(words.begin() + 1, words.end());
    // The pre-RFC 4954 form "AUTH=LOGIN PLAIN" that old Outlook clients needed.
    if (keyword.size() > 5 && ToUpper(keyword.substr(0, 5)) == "AUTH=") {
      params.insert(params.begin(), keyword.substr(5));
      keyword = keyword.substr(0, 4);
    }
    // A line that is no extension at all is skipped rather than guessed at; this also keeps
    // the lists plain ASCII.
    if (!IsKeyword(keyword)) continue;
    const std::string upper = ToUpper(keyword);
    AddUnique(&caps.keywords, upper);
    if (upper == "STARTTLS") {
      caps.starttls = true;
    } else if (upper == "SMTPUTF8") {
      caps.smtputf8 = true;
    } else if (upper == "PIPELINING") {
      caps.pipelining = true;
    } else if (upper == "8BITMIME") {
      caps.eightbitmime = true;
    } else if (upper == "SIZE") {
      // "SIZE" alone or a value we cannot read both mean: no limit announced.
      uint64_t limit = 0;
      if (!params.empty()) {
        const std::string_view p = params[0];
        const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), limit);
        if (ec != std::errc() || end != p.data() + p.size()) limit = 0;
      }
      caps.size = limit;
    } else if (upper == "AUTH") {
      for (std::string_view mechanism : params) {
        if (IsMechanism(mechanism)) AddUnique(&caps.auth_mechanisms, ToUpper(mechanism));
      }
    }
  }
  return caps;
}

}  // namespace cv::smtp
