#include "channelctl/args.h"

#include <algorithm>
#include <cctype>

#include "probe/engine_options.h"

namespace channelctl {
namespace {

const std::vector<FlagDef> kChannelFlags = {
    {"from", "ADDR", "SMTP: the sender address the channel will use"},
    {"password-file", "FILE",
     "SMTP: read the password from FILE (first line); else $CHANNELCTL_PASSWORD, else a prompt"},
    {"account", "ADDR", "OAuth: the mailbox address"},
    {"refresh-token-file", "FILE", "OAuth: read the refresh token from FILE"},
    {"access-token-file", "FILE",
     "OAuth: read an access token from FILE (instead of a refresh "
     "token)"},
    {"tenant", "ID", "Microsoft: the tenant id (default: organizations)"},
};

// How the result is shown besides the probe lines, for verify and send-test.
const std::vector<FlagDef> kResultFlags = {
    {"timeline", "", "draw the probes as bars on one time axis (fits 80 columns)"},
    {"ascii", "",
     "draw the timeline with ASCII characters only (the default when the locale is not UTF-8)"},
    {"report", "FILE",
     "also write the result as one self-contained HTML page to FILE (no secrets in it)"},
};

std::vector<FlagDef> With(std::vector<FlagDef> flags, std::vector<FlagDef> more) {
  flags.insert(flags.end(), more.begin(), more.end());
  return flags;
}

constexpr std::string_view kChannelSyntax =
    "CHANNEL is one of\n"
    "  smtp://[USER@]HOST[:PORT][?tls=starttls|implicit|none]\n"
    "      USER may be percent-encoded (jobs%40example.com). PORT defaults to 587 (starttls),\n"
    "      465 (implicit) or 25 (none). smtps://HOST means tls=implicit. The password never\n"
    "      goes into the URL or a flag: it comes from --password-file, $CHANNELCTL_PASSWORD\n"
    "      or a prompt (echo off) when the terminal is interactive.\n"
    "  google | microsoft\n"
    "      with --account ADDR and --refresh-token-file FILE or --access-token-file FILE\n"
    "      (or $CHANNELCTL_REFRESH_TOKEN / $CHANNELCTL_ACCESS_TOKEN); --tenant for Microsoft.\n";

const std::vector<CommandDef>& Defs() {
  static const auto* defs = new std::vector<CommandDef>{
      {"verify", "CHANNEL", "probe a channel and say what is wrong with it",
       "Probes the channel the way the platform would use it (DNS, TCP, TLS, EHLO, one AUTH\n"
       "attempt; for OAuth the token and the account) and prints one line per probe, then each\n"
       "diagnosis with what to do about it. No mail is sent.\n\n" +
           std::string(kChannelSyntax) +
           "\nExamples:\n"
           "  channelctl verify 'smtp://jobs%40example.com@smtp.example.com:587?tls=starttls' \\\n"
           "      --from jobs@example.com --password-file ~/.cv-pass\n"
           "  channelctl verify microsoft --account jobs@example.com --refresh-token-file t.txt\n"
           "  channelctl --local --allow-cidrs 127.0.0.0/8 verify smtp://127.0.0.1:2525?tls=none\n"
           "  channelctl verify smtp://jobs%40example.com@smtp.example.com --timeline \\\n"
           "      --report check.html --lang de\n"
           "\nExit status: 0 pass, 1 warn, 2 fail, 3 usage or connection error (or the report\n"
           "could not be written).\n",
       With(kChannelFlags, kResultFlags), 1, 1},
      {"send-test", "CHANNEL", "send one real test message through a channel",
       "Sends one test message to --to through the channel and prints the server's answer.\n"
       "Never retried automatically: every call that reaches the server sends a message. The\n"
       "request id (random unless --request-id is given) lets the server refuse a repeat.\n\n" +
           std::string(kChannelSyntax) +
           "\nExamples:\n"
           "  channelctl send-test smtp://jobs%40example.com@smtp.example.com --to me@example.com\n"
           "  channelctl send-test google --account jobs@example.com \\\n"
           "      --refresh-token-file t.txt --to me@example.com\n"
           "  channelctl send-test microsoft --account jobs@example.com \\\n"
           "      --refresh-token-file t.txt --to me@example.com --lang de\n"
           "\nExit status: 0 accepted, 1 accepted with warnings, 2 not accepted, 3 usage or\n"
           "connection error.\n",
       With(With(kChannelFlags, {{"to", "ADDR", "the one recipient of the test message (required)"},
                                 {"request-id", "ID", "idempotency key (default: a random one)"}}),
            kResultFlags),
       1, 1},
      {"diagnoses",
       "[CODE]",
       "the diagnosis catalog: what each code means and what to do",
       "Without CODE: every code and documented case with its title. With CODE: that entry\n"
       "with its remediation. CODE is a code name with or without the DIAGNOSIS_CODE_ prefix\n"
       "(INVALID_CREDENTIALS, diagnosis_code_invalid_credentials) or a documented case id\n"
       "(m365-smtp-auth).\n"
       "--output markdown prints the table of README.md.\n",
       {},
       0,
       1},
      {"health",
       "",
       "ask the server whether it is serving",
       "Calls grpc.health.v1.Health/Check. Exit status 0 when SERVING, 2 otherwise, 3 when the\n"
       "server cannot be reached.\n",
       {{"service", "NAME", "the service to ask about (default: the server as a whole)"}},
       0,
       0},
  };
  return *defs;
}

}  // namespace

const std::vector<CommandDef>& Commands() { return Defs(); }

std::string Dashed(std::string_view name) {
  std::string out(name);
  std::replace(out.begin(), out.end(), '_', '-');
  return out;
}

namespace {

// The engine's options as flags of --local: the server's names, help and defaults.
std::vector<FlagDef> EngineFlags() {
  std::vector<FlagDef> flags;
  for (const cv::OptionSpec& o : cv::probe::EngineOptions()) {
    std::string help = "--local: " + std::string(o.help);
    if (!o.default_text.empty()) help += " (default " + std::string(o.default_text) + ")";
    flags.push_back({Dashed(o.name), std::string(o.placeholder), std::move(help)});
  }
  return flags;
}

}  // namespace

const std::vector<FlagDef>& GlobalFlags() {
  static const auto* flags = new std::vector<FlagDef>(With(
      {
          {"server", "HOST:PORT",
           "the channel-verifier to ask (default $CHANNELCTL_SERVER or "
           "127.0.0.1:50051)"},
          {"tls", "", "use TLS to the server"},
          {"ca-file", "FILE", "trust anchors for the server's certificate (implies --tls)"},
          {"cert-file", "FILE", "client certificate for mTLS (with --key-file; implies --tls)"},
          {"key-file", "FILE", "client key for mTLS"},
          {"tls-server-name", "NAME",
           "the name the server's certificate must carry (default: the host of --server; for "
           "port-forwards; implies --tls)"},
          {"timeout", "DURATION", "deadline of the call, e.g. 30s, 1500ms, 2m (default 30s)"},
          {"local", "", "run the verification in this process, without a server"},
      },
      With(EngineFlags(),
           {
               {"lang", "en|de", "language of titles and remediation (default en)"},
               {"output", "FORMAT",
                "human (default), json (proto3 JSON), markdown (diagnoses only)"},
               {"color", "WHEN",
                "auto (default: on a terminal unless NO_COLOR is set), always, never"},
               {"no-timing", "", "leave out durations (stable output for snapshots)"},
               {"help", "", "show help"},
           })));
  return *flags;
}

std::map<std::string, std::string, std::less<>> EngineOptionsGiven(const Args& args) {
  std::map<std::string, std::string, std::less<>> given;
  for (const cv::OptionSpec& o : cv::probe::EngineOptions()) {
    if (const std::string flag = Dashed(o.name); args.Has(flag)) {
      given[std::string(o.name)] = args.Get(flag);
    }
  }
  return given;
}

const CommandDef* FindCommand(std::string_view name) {
  for (const auto& c : Commands()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

namespace {

const FlagDef* FindFlag(const CommandDef* command, std::string_view name) {
  for (const auto& f : GlobalFlags()) {
    if (f.name == name) return &f;
  }
  if (command != nullptr) {
    for (const auto& f : command->flags) {
      if (f.name == name) return &f;
    }
  }
  return nullptr;
}

std::string FlagLines(const std::vector<FlagDef>& flags) {
  std::string out;
  for (const auto& f : flags) {
    std::string left = "  --" + std::string(f.name);
    if (!f.value_name.empty()) left += " " + std::string(f.value_name);
    if (left.size() < 30)
      left.resize(30, ' ');
    else
      left += "\n" + std::string(30, ' ');
    // Wrap the help text at 100 columns, continuing under its first column.
    std::string_view help = f.help;
    while (help.size() > 70) {
      size_t cut = help.rfind(' ', 70);
      if (cut == std::string_view::npos) break;
      left += std::string(help.substr(0, cut)) + "\n" + std::string(30, ' ');
      help.remove_prefix(cut + 1);
    }
    out += left + std::string(help) + "\n";
  }
  return out;
}

}  // namespace

std::string Usage(const CommandDef* command) {
  if (command == nullptr) return "Usage: channelctl [FLAGS] COMMAND [ARGS] [FLAGS]";
  std::string usage = "Usage: channelctl " + std::string(command->name);
  if (!command->args.empty()) usage += " " + std::string(command->args);
  return usage + " [FLAGS]";
}

std::string MainHelp() {
  std::string out =
      "channelctl: tells you why a mailbox cannot send, with what to do about it.\n\n" +
      Usage(nullptr) + "\n\nCommands:\n";
  for (const auto& c : Commands()) {
    std::string left = "  " + std::string(c.name);
    left.resize(14, ' ');
    out += left + std::string(c.summary) + "\n";
  }
  out += "\nFlags for every command:\n" + FlagLines(GlobalFlags());
  out += "\nRun 'channelctl COMMAND --help' for a command's arguments and flags.\n";
  return out;
}

std::string CommandHelp(const CommandDef& command) {
  std::string out = Usage(&command) + "\n\n" + std::string(command.summary) + ".\n\n" +
                    std::string(command.details);
  if (!command.flags.empty()) out += "\nFlags:\n" + FlagLines(command.flags);
  out += "\nFlags for every command:\n" + FlagLines(GlobalFlags());
  return out;
}

std::optional<Args> Parse(const std::vector<std::string>& argv, std::string* error,
                          const CommandDef** error_command) {
  Args args;
  *error_command = nullptr;
  bool only_positional = false;
  // Flags may come before the command; they are checked against the command once it is known.
  std::vector<std::pair<std::string, std::optional<std::string>>> early;
  auto fail = [&](std::string message) -> std::optional<Args> {
    *error = std::move(message);
    *error_command = args.command;
    return std::nullopt;
  };
  auto add_flag = [&](std::string name, std::optional<std::string> inline_value,
                      size_t* i) -> std::optional<std::string> {
    const FlagDef* def = FindFlag(args.command, name);
    if (def == nullptr) {
      if (name == "password" || name == "refresh-token" || name == "access-token") {
        return "--" + name +
               " is not accepted: a secret on the command line lands in the shell history and "
               "in ps. Use --" +
               name + "-file FILE or $CHANNELCTL_" +
               [&] {
                 std::string env = name;
                 for (char& c : env) c = c == '-' ? '_' : static_cast<char>(std::toupper(c));
                 return env;
               }() +
               (name == "password" ? ", or type it at the prompt" : "");
      }
      return "unknown flag --" + name;
    }
    if (def->value_name.empty()) {
      if (inline_value) return "--" + name + " takes no value";
      args.values[name] = "true";
      if (name == "help") args.help = true;
      return std::nullopt;
    }
    if (!inline_value) {
      if (*i + 1 >= argv.size())
        return "--" + name + " needs a value (" + std::string(def->value_name) + ")";
      inline_value = argv[++*i];
    }
    args.values[name] = *inline_value;
    return std::nullopt;
  };

  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (!only_positional && arg == "--") {
      only_positional = true;
      continue;
    }
    if (!only_positional && (arg == "-h")) {
      args.help = true;
      args.values["help"] = "true";
      continue;
    }
    if (!only_positional && arg.size() > 2 && arg.rfind("--", 0) == 0) {
      std::string name = arg.substr(2);
      std::optional<std::string> value;
      if (auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name.resize(eq);
      }
      // The server spells its flags with underscores; accept both so that one can copy them.
      std::replace(name.begin(), name.end(), '_', '-');
      if (args.command == nullptr && FindFlag(nullptr, name) == nullptr) {
        // Perhaps a flag of the command that follows: decide when it is known.
        const FlagDef* any = nullptr;
        for (const auto& c : Commands()) {
          if (const FlagDef* f = FindFlag(&c, name)) any = f;
        }
        if (any != nullptr) {
          if (!any->value_name.empty() && !value) {
            if (i + 1 >= argv.size()) return fail("--" + name + " needs a value");
            value = argv[++i];
          }
          early.emplace_back(name, value ? value : std::optional<std::string>("true"));
          continue;
        }
      }
      if (auto e = add_flag(name, value, &i)) return fail(*e);
      continue;
    }
    if (!only_positional && arg.size() > 1 && arg[0] == '-' && arg != "-") {
      return fail("unknown flag " + arg + " (flags are spelled --name)");
    }
    if (args.command == nullptr) {
      if (arg == "help") {
        args.help = true;
        continue;
      }
      args.command = FindCommand(arg);
      if (args.command == nullptr) return fail("unknown command \"" + arg + "\"");
      for (auto& [name, value] : early) {
        const FlagDef* def = FindFlag(args.command, name);
        if (def == nullptr) return fail("--" + name + " is not a flag of " + arg);
        args.values[name] = value.value_or("true");
      }
      early.clear();
      continue;
    }
    args.positional.push_back(arg);
  }
  if (!early.empty()) return fail("--" + early.front().first + " needs a command");
  if (args.help) return args;
  if (args.command == nullptr) return fail("no command given");
  const int n = static_cast<int>(args.positional.size());
  if (n < args.command->min_args) {
    return fail("missing " + std::string(args.command->args));
  }
  if (n > args.command->max_args) {
    return fail("unexpected argument \"" + args.positional[args.command->max_args] + "\"");
  }
  return args;
}

std::optional<long long> ParseDurationMs(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits > 9) return std::nullopt;
  const long long n = std::stoll(std::string(text.substr(0, digits)));
  const std::string_view unit = text.substr(digits);
  long long ms;
  if (unit.empty() || unit == "s") {
    ms = n * 1000;
  } else if (unit == "ms") {
    ms = n;
  } else if (unit == "m") {
    ms = n * 60000;
  } else {
    return std::nullopt;
  }
  if (ms <= 0) return std::nullopt;
  return ms;
}

}  // namespace channelctl
