#include "channelctl/channel.h"

#include <fcntl.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace channelctl {
namespace v1 = channelverify::v1;

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The terminal state to restore if Ctrl-C arrives while echo is off.
int g_tty_fd = -1;
struct termios g_saved_tty;

void RestoreTtyAndDie(int signal_number) {
  if (g_tty_fd >= 0) {
    tcsetattr(g_tty_fd, TCSAFLUSH, &g_saved_tty);
    (void)!write(g_tty_fd, "\n", 1);
  }
  ::signal(signal_number, SIG_DFL);
  ::raise(signal_number);
}

std::optional<std::string> PromptOnTerminal(const std::string& prompt) {
  // Only when a person is at the keyboard: a script with stdin redirected must fail fast rather
  // than hang on a prompt nobody sees.
  if (!isatty(STDIN_FILENO)) return std::nullopt;
  const int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct termios saved;
  if (tcgetattr(fd, &saved) != 0) {
    close(fd);
    return std::nullopt;
  }
  g_saved_tty = saved;
  g_tty_fd = fd;
  struct sigaction action = {}, old_int = {}, old_term = {};
  action.sa_handler = RestoreTtyAndDie;
  sigaction(SIGINT, &action, &old_int);
  sigaction(SIGTERM, &action, &old_term);
  struct termios quiet = saved;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  quiet.c_lflag |= ECHONL;
  // Echo goes off before the prompt shows: whoever answers as soon as they see it (a person
  // pasting, expect, a test) must neither see the secret echoed nor have it flushed away.
  tcsetattr(fd, TCSAFLUSH, &quiet);
  (void)!write(fd, prompt.data(), prompt.size());
  std::string line;
  char c;
  bool ok = false;
  while (read(fd, &c, 1) == 1) {
    if (c == '\n') {
      ok = true;
      break;
    }
    line.push_back(c);
  }
  tcsetattr(fd, TCSAFLUSH, &saved);
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  g_tty_fd = -1;
  close(fd);
  if (!ok) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

bool PercentDecode(std::string_view in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = HexValue(in[i + 1]), lo = HexValue(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

bool ParseChannel(std::string_view spec, v1::Channel* channel, std::string* error) {
  channel->Clear();
  const std::string lower = Lower(spec);
  if (lower == "google" || lower == "microsoft") {
    channel->mutable_oauth()->set_provider(lower == "google" ? v1::PROVIDER_GOOGLE
                                                             : v1::PROVIDER_MICROSOFT);
    return true;
  }
  bool implicit_scheme = false;
  if (lower.rfind("smtp://", 0) == 0) {
    spec.remove_prefix(7);
  } else if (lower.rfind("smtps://", 0) == 0) {
    spec.remove_prefix(8);
    implicit_scheme = true;
  } else {
    *error = "CHANNEL must be smtp://[USER@]HOST[:PORT][?tls=...], google or microsoft";
    return false;
  }
  auto* smtp = channel->mutable_smtp();
  smtp->set_tls_mode(implicit_scheme ? v1::TLS_MODE_IMPLICIT : v1::TLS_MODE_STARTTLS);

  std::string_view query;
  if (auto q = spec.find('?'); q != std::string_view::npos) {
    query = spec.substr(q + 1);
    spec = spec.substr(0, q);
  }
  if (!spec.empty() && spec.back() == '/') spec.remove_suffix(1);
  if (spec.find('/') != std::string_view::npos || spec.find('#') != std::string_view::npos) {
    *error = "CHANNEL: an smtp:// URL has no path";
    return false;
  }
  // The user ends at the last '@': an unencoded address as user (jobs@example.com@host) still
  // parses the way the engineer meant it.
  if (auto at = spec.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = spec.substr(0, at);
    spec = spec.substr(at + 1);
    if (userinfo.find(':') != std::string_view::npos) {
      *error =
          "CHANNEL: no password in the URL (it would land in the shell history); use "
          "--password-file, $CHANNELCTL_PASSWORD or the prompt";
      return false;
    }
    std::string user;
    if (!PercentDecode(userinfo, &user)) {
      *error = "CHANNEL: malformed %-escape in the user name";
      return false;
    }
    if (user.empty()) {
      *error = "CHANNEL: empty user name before '@'";
      return false;
    }
    smtp->set_username(user);
  }
  std::string_view host = spec, port;
  if (!spec.empty() && spec.front() == '[') {
    const auto close = spec.find(']');
    if (close == std::string_view::npos) {
      *error = "CHANNEL: unclosed '[' in the host";
      return false;
    }
    host = spec.substr(1, close - 1);
    std::string_view rest = spec.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        *error = "CHANNEL: expected ':PORT' after ']'";
        return false;
      }
      port = rest.substr(1);
    }
  } else if (auto colon = spec.rfind(':'); colon != std::string_view::npos) {
    host = spec.substr(0, colon);
    port = spec.substr(colon + 1);
  }
  if (host.empty()) {
    *error = "CHANNEL: no host";
    return false;
  }
  smtp->set_host(std::string(host));
  if (!port.empty() || spec.ends_with(":")) {
    unsigned long value = 0;
    bool digits = !port.empty() && port.size() <= 5;
    for (char c : port) digits = digits && std::isdigit(static_cast<unsigned char>(c));
    if (digits) value = std::stoul(std::string(port));
    if (!digits || value == 0 || value > 65535) {
      *error = "CHANNEL: port must be a number from 1 to 65535";
      return false;
    }
    smtp->set_port(static_cast<uint32_t>(value));
  }
  while (!query.empty()) {
    std::string_view pair = query.substr(0, query.find('&'));
    query.remove_prefix(std::min(query.size(), pair.size() + 1));
    const auto eq = pair.find('=');
    const std::string key = Lower(pair.substr(0, eq));
    const std::string value = eq == std::string_view::npos ? "" : Lower(pair.substr(eq + 1));
    if (key != "tls") {
      *error = "CHANNEL: unknown parameter \"" + key + "\" (only tls=starttls|implicit|none)";
      return false;
    }
    if (value == "starttls") {
      smtp->set_tls_mode(v1::TLS_MODE_STARTTLS);
    } else if (value == "implicit" || value == "ssl" || value == "tls") {
      smtp->set_tls_mode(v1::TLS_MODE_IMPLICIT);
    } else if (value == "none" || value == "plain") {
      smtp->set_tls_mode(v1::TLS_MODE_NONE);
    } else {
      *error = "CHANNEL: tls must be starttls, implicit or none";
      return false;
    }
  }
  return true;
}

bool ReadSecretFile(const std::string& path, std::string* secret, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot read " + path + ": " + std::strerror(errno);
    return false;
  }
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) {
    *error = path + " is empty (the secret is its first line)";
    return false;
  }
  *secret = std::move(line);
  return true;
}

SecretSources SystemSecretSources() {
  SecretSources sources;
  sources.env = [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
  };
  sources.prompt = PromptOnTerminal;
  return sources;
}

namespace {

// A secret from --NAME-file, else $ENV. Returns false only on an error; `found` says whether
// there was one.
bool SecretFromFileOrEnv(const Args& args, const SecretSources& sources, const std::string& flag,
                         const std::string& env, std::string* secret, bool* found,
                         std::string* error) {
  *found = false;
  if (args.Has(flag)) {
    if (!ReadSecretFile(args.Get(flag), secret, error)) {
      *error = "--" + flag + ": " + *error;
      return false;
    }
    *found = true;
    return true;
  }
  if (auto value = sources.env(env)) {
    *secret = std::move(*value);
    *found = true;
  }
  return true;
}

}  // namespace

bool CompleteChannel(const Args& args, const SecretSources& sources, v1::Channel* channel,
                     std::string* error) {
  static constexpr const char* kOauthFlags[] = {"account", "refresh-token-file",
                                                "access-token-file", "tenant"};
  if (channel->has_smtp()) {
    for (const char* flag : kOauthFlags) {
      if (args.Has(flag)) {
        *error = std::string("--") + flag + " is for google and microsoft channels";
        return false;
      }
    }
    auto* smtp = channel->mutable_smtp();
    smtp->set_from_address(args.Get("from"));
    if (smtp->username().empty()) {
      if (args.Has("password-file")) {
        *error = "--password-file needs a USER in the channel (smtp://USER@HOST)";
        return false;
      }
      return true;  // a channel without credentials (e.g. a relay that trusts the IP)
    }
    std::string password;
    bool found = false;
    if (!SecretFromFileOrEnv(args, sources, "password-file", "CHANNELCTL_PASSWORD", &password,
                             &found, error)) {
      return false;
    }
    if (!found) {
      auto typed =
          sources.prompt("Password for " + smtp->username() + " at " + smtp->host() + ": ");
      if (!typed) {
        *error = "no password for " + smtp->username() +
                 ": use --password-file FILE or $CHANNELCTL_PASSWORD (no terminal to prompt on)";
        return false;
      }
      password = std::move(*typed);
    }
    smtp->set_password(password);
    return true;
  }
  for (const char* flag : {"from", "password-file"}) {
    if (args.Has(flag)) {
      *error = std::string("--") + flag + " is for smtp:// channels";
      return false;
    }
  }
  auto* oauth = channel->mutable_oauth();
  if (!args.Has("account")) {
    *error = "--account ADDR is required for google and microsoft channels";
    return false;
  }
  oauth->set_account(args.Get("account"));
  if (args.Has("tenant")) {
    if (oauth->provider() != v1::PROVIDER_MICROSOFT) {
      *error = "--tenant is for microsoft channels";
      return false;
    }
    oauth->set_tenant_id(args.Get("tenant"));
  }
  std::string token;
  bool found = false;
  if (!SecretFromFileOrEnv(args, sources, "refresh-token-file", "CHANNELCTL_REFRESH_TOKEN", &token,
                           &found, error)) {
    return false;
  }
  if (found) oauth->set_refresh_token(token);
  bool found_access = false;
  if (!SecretFromFileOrEnv(args, sources, "access-token-file", "CHANNELCTL_ACCESS_TOKEN", &token,
                           &found_access, error)) {
    return false;
  }
  if (found_access) oauth->set_access_token(token);
  if (!found && !found_access) {
    *error =
        "no token: use --refresh-token-file FILE or --access-token-file FILE (or "
        "$CHANNELCTL_REFRESH_TOKEN / $CHANNELCTL_ACCESS_TOKEN)";
    return false;
  }
  return true;
}

std::string DescribeChannel(const v1::Channel& channel) {
  if (channel.has_oauth()) {
    const auto& o = channel.oauth();
    std::string out = o.provider() == v1::PROVIDER_GOOGLE ? "Google" : "Microsoft";
    out += " OAuth " + o.account();
    if (!o.tenant_id().empty()) out += " (tenant " + o.tenant_id() + ")";
    return out;
  }
  const auto& s = channel.smtp();
  const v1::TlsMode mode =
      s.tls_mode() == v1::TLS_MODE_UNSPECIFIED ? v1::TLS_MODE_STARTTLS : s.tls_mode();
  uint32_t port = s.port();
  if (port == 0) port = mode == v1::TLS_MODE_IMPLICIT ? 465 : mode == v1::TLS_MODE_NONE ? 25 : 587;
  std::string out = "SMTP ";
  if (!s.username().empty()) out += s.username() + " @ ";
  const bool v6 = s.host().find(':') != std::string::npos;
  out += (v6 ? "[" + s.host() + "]" : s.host()) + ":" + std::to_string(port);
  out += mode == v1::TLS_MODE_IMPLICIT ? " implicit TLS"
         : mode == v1::TLS_MODE_NONE   ? " without TLS"
                                       : " STARTTLS";
  if (!s.from_address().empty()) out += ", from " + s.from_address();
  return out;
}

}  // namespace channelctl
