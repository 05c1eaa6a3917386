#include "mail/message.h"

#include <algorithm>
#include <array>
#include <cstdio>

namespace cv::mail {
namespace {

constexpr std::string_view kCrlf = "\r\n";
constexpr size_t kSoftLimit = 78;    // RFC 5322 2.1.1: lines SHOULD stay within 78
constexpr size_t kQpLineLimit = 76;  // RFC 2045 6.7 (5)

constexpr char kHex[] = "0123456789ABCDEF";

void AppendHexEscape(unsigned char c, std::string* out) {
  out->push_back('=');
  out->push_back(kHex[c >> 4]);
  out->push_back(kHex[c & 0x0f]);
}

bool IsPrintableAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

// Octets of the UTF-8 sequence that starts with `lead`; 1 for ASCII and for stray bytes,
// which are then encoded one by one.
size_t Utf8Length(unsigned char lead) {
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  if (lead >= 0xe0) return lead <= 0xef ? 3 : 1;
  if (lead >= 0xc2) return 2;
  return 1;
}

// RFC 2047 5 (3) lets an encoded-word in any header carry these literally; everything else is
// =XX (space as "_"). The strictest rule is used everywhere so the words stay valid in phrases.
bool IsQSafe(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '!' ||
         c == '*' || c == '+' || c == '-' || c == '/';
}

std::string FoldAscii(std::string_view text, size_t used) {
  std::string out;
  size_t line = used;
  size_t pos = 0;
  while (pos < text.size()) {
    // The next word with the spaces before it: folding happens before the space, which then
    // opens the continuation line (RFC 5322 2.2.3).
    size_t end = pos;
    while (end < text.size() && text[end] == ' ') ++end;
    while (end < text.size() && text[end] != ' ') ++end;
    const std::string_view chunk = text.substr(pos, end - pos);
    if (line + chunk.size() > kSoftLimit && line > 1 && chunk.front() == ' ') {
      out.append(kCrlf);
      line = 0;
    }
    out.append(chunk);
    line += chunk.size();
    pos = end;
  }
  return out;
}

void Replace(std::string* text, std::string_view key, std::string_view value) {
  for (size_t at = text->find(key); at != std::string::npos;
       at = text->find(key, at + value.size())) {
    text->replace(at, key.size(), value);
  }
}

struct Texts {
  std::string_view subject;
  std::string_view body;  // "\n" line ends; {placeholders}
};

// The lines that begin with dots are deliberate: they prove, at the receiving end, that the
// message went through dot-stuffing intact (a lone "." would otherwise end the data).
constexpr Texts kEnglish = {
    "Test message from channel-verifier: your email channel works",
    "Hello,\n"
    "\n"
    "this is a test message from channel-verifier, sent through the email channel\n"
    "{channel}.\n"
    "If it reached you, the channel can send: nothing else needs to be done.\n"
    "\n"
    "Details for your IT department:\n"
    "  Sender: {from}\n"
    "  Recipient: {to}\n"
    "  Sent at: {date}\n"
    "  Message-ID: {message_id}\n"
    "  Correlation id: {correlation_id}\n"
    "\n"
    ".\n"
    ".. The single dot above and the dots that begin this line are intentional:\n"
    "they check that the message came through SMTP dot-stuffing intact\n"
    "(RFC 5321, 4.5.2).\n"};

constexpr Texts kGerman = {
    "Testnachricht von channel-verifier \xe2\x80\x93 Ihre E-Mail-Verbindung funktioniert",
    "Guten Tag,\n"
    "\n"
    "dies ist eine Testnachricht von channel-verifier, gesendet \xc3\xbc"
    "ber die\n"
    "E-Mail-Verbindung {channel}.\n"
    "Wenn sie Sie erreicht hat, funktioniert der Versand \xc3\xbc"
    "ber diese\n"
    "Verbindung: Sie m\xc3\xbcssen nichts weiter tun.\n"
    "\n"
    "Angaben f\xc3\xbcr Ihre IT-Abteilung:\n"
    "  Absender: {from}\n"
    "  Empf\xc3\xa4nger: {to}\n"
    "  Gesendet: {date}\n"
    "  Message-ID: {message_id}\n"
    "  Korrelations-ID: {correlation_id}\n"
    "\n"
    ".\n"
    ".. Der einzelne Punkt oben und die Punkte am Anfang dieser Zeile sind\n"
    "Absicht: Sie pr\xc3\xbc"
    "fen, ob die Nachricht das SMTP-Dot-Stuffing\n"
    "unbesch\xc3\xa4"
    "digt \xc3\xbc"
    "bersteht (RFC 5321, 4.5.2).\n"
    "\n"
    "Sch\xc3\xb6ne Gr\xc3\xbc\xc3\x9f"
    "e\n"};

}  // namespace

std::string FormatDate(std::time_t t) {
  static constexpr std::array<std::string_view, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                            "Thu", "Fri", "Sat"};
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm{};
  gmtime_r(&t, &tm);
  // English names regardless of the process locale: RFC 5322 fixes them.
  char buf[48];
  const std::string_view day = kDays[static_cast<size_t>(tm.tm_wday) % 7];
  const std::string_view month = kMonths[static_cast<size_t>(tm.tm_mon) % 12];
  std::snprintf(buf, sizeof(buf), "%.3s, %02d %.3s %04d %02d:%02d:%02d +0000", day.data(),
                tm.tm_mday, month.data(), tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

bool NeedsSmtpUtf8(std::string_view address) {
  return std::any_of(address.begin(), address.end(),
                     [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

std::string EncodeHeaderText(std::string_view text, size_t used) {
  if (IsPrintableAscii(text)) return FoldAscii(text, used);
  constexpr std::string_view kOpen = "=?UTF-8?Q?";
  constexpr std::string_view kClose = "?=";
  constexpr size_t kMaxWord = 75;  // RFC 2047 2
  constexpr size_t kMaxChar = 12;  // one 4-octet character as =XX=XX=XX=XX
  auto limit_for = [&](size_t line_used) {
    size_t room = line_used < kSoftLimit ? kSoftLimit - line_used : 0;
    // A line too full for even one character gets a whole word anyway (still below 998).
    if (room < kOpen.size() + kClose.size() + kMaxChar) room = kMaxWord;
    return std::min(room, kMaxWord);
  };
  std::string out;
  std::string word(kOpen);
  size_t limit = limit_for(used);
  size_t pos = 0;
  while (pos < text.size()) {
    const auto lead = static_cast<unsigned char>(text[pos]);
    const size_t n = std::min(Utf8Length(lead), text.size() - pos);
    std::string encoded;
    for (size_t i = 0; i < n; ++i) {
      const auto c = static_cast<unsigned char>(text[pos + i]);
      if (c == ' ') {
        encoded.push_back('_');
      } else if (IsQSafe(c)) {
        encoded.push_back(static_cast<char>(c));
      } else {
        AppendHexEscape(c, &encoded);
      }
    }
    if (word.size() + encoded.size() + kClose.size() > limit && word.size() > kOpen.size()) {
      // The whitespace between two encoded-words is dropped by decoders, so the fold loses
      // nothing; spaces of the text travel inside the words as "_".
      out.append(word).append(kClose).append(kCrlf).append(" ");
      word.assign(kOpen);
      limit = limit_for(1);
    }
    word.append(encoded);
    pos += n;
  }
  out.append(word).append(kClose);
  return out;
}

std::string QuotedPrintable(std::string_view text) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    const bool has_newline = end != std::string_view::npos;
    if (!has_newline) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    start = has_newline ? end + 1 : end;

    size_t width = 0;
    for (size_t i = 0; i < line.size(); ++i) {
      const auto c = static_cast<unsigned char>(line[i]);
      const bool last = i + 1 == line.size();
      std::string token;
      // Trailing blanks vanish in transport (RFC 2045 6.7 (3)); "From " at a line start is
      // mangled by mbox tools.
      const bool blank = c == ' ' || c == '\t';
      const bool from_line = i == 0 && line.substr(0, 5) == "From ";
      if ((blank && last) || from_line || c == '=' || (!blank && (c < 33 || c > 126))) {
        AppendHexEscape(c, &token);
      } else {
        token.push_back(static_cast<char>(c));
      }
      // A soft break "=" takes one column; the line's last token may use all 76.
      const size_t room = last ? kQpLineLimit : kQpLineLimit - 1;
      if (width + token.size() > room) {
        out.append("=").append(kCrlf);
        width = 0;
      }
      out.append(token);
      width += token.size();
    }
    out.append(kCrlf);
  }
  return out;
}

std::string DotStuff(std::string_view message) {
  std::string out;
  out.reserve(message.size() + message.size() / 40 + 5);
  bool line_start = true;
  for (size_t i = 0; i < message.size(); ++i) {
    const char c = message[i];
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < message.size() && message[i + 1] == '\n') ++i;
      out.append(kCrlf);
      line_start = true;
      continue;
    }
    if (line_start && c == '.') out.push_back('.');
    out.push_back(c);
    line_start = false;
  }
  if (!line_start) out.append(kCrlf);
  out.append(".\r\n");
  return out;
}

TestMessage BuildTestMessage(const TestMessageParams& params) {
  const Texts& texts = params.lang == Lang::kDe ? kGerman : kEnglish;
  TestMessage message;
  const size_t at = params.from.rfind('@');
  const std::string_view domain = at == std::string::npos
                                      ? std::string_view("channel-verifier.invalid")
                                      : std::string_view(params.from).substr(at + 1);
  message.message_id = "<cv." + params.unique + "@" + std::string(domain) + ">";
  message.correlation_id = params.correlation_id;
  message.subject = std::string(texts.subject);
  const std::string date = FormatDate(params.date);

  std::string body(texts.body);
  Replace(&body, "{channel}", params.channel);
  Replace(&body, "{from}", params.from);
  Replace(&body, "{to}", params.to);
  Replace(&body, "{date}", date);
  Replace(&body, "{message_id}", message.message_id);
  Replace(&body, "{correlation_id}", params.correlation_id);

  std::string& d = message.data;
  auto header = [&d](std::string_view name, std::string_view value) {
    d.append(name).append(": ").append(value).append(kCrlf);
  };
  header("Date", date);
  header("From", params.from);
  header("To", params.to);
  header("Subject", EncodeHeaderText(texts.subject, sizeof("Subject: ") - 1));
  header("Message-ID", message.message_id);
  header(kTestHeader, params.correlation_id);
  // RFC 3834: no vacation or out-of-office replies to a machine's test message.
  header("Auto-Submitted", "auto-generated");
  header("MIME-Version", "1.0");
  header("Content-Type", "text/plain; charset=UTF-8");
  header("Content-Transfer-Encoding", "quoted-printable");
  d.append(kCrlf);
  d.append(QuotedPrintable(body));
  message.body_text = std::move(body);
  return message;
}

}  // namespace cv::mail
