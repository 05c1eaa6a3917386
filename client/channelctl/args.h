// Command-line parsing for channelctl: `channelctl [FLAGS] COMMAND [ARGS] [FLAGS]`, flags in
// the GNU long form (--name VALUE, --name=VALUE, -h). Kept free of I/O so it is unit-tested.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace channelctl {

// Owned strings: the engine's flags are made from its options table (probe/engine_options.h).
struct FlagDef {
  std::string name;        // without the leading "--"
  std::string value_name;  // "" for a switch
  std::string help;
};

struct CommandDef {
  std::string_view name;
  std::string_view args;     // usage of the positional arguments, e.g. "CHANNEL"
  std::string_view summary;  // one line for the command list
  std::string details;       // paragraphs for --help (built from parts, so owned)
  std::vector<FlagDef> flags;
  int min_args = 0;
  int max_args = 0;
};

// The commands and the flags every command takes.
const std::vector<CommandDef>& Commands();
const std::vector<FlagDef>& GlobalFlags();
const CommandDef* FindCommand(std::string_view name);

struct Args {
  const CommandDef* command = nullptr;  // nullptr: none given
  bool help = false;
  std::vector<std::string> positional;
  std::map<std::string, std::string, std::less<>> values;  // switches hold "true"

  bool Has(std::string_view flag) const { return values.find(flag) != values.end(); }
  std::string Get(std::string_view flag, std::string fallback = "") const {
    auto it = values.find(flag);
    return it == values.end() ? fallback : it->second;
  }
};

// "google_client_id" -> "google-client-id": the server's spelling of an option, channelctl's.
std::string Dashed(std::string_view name);

// The engine's options given (the flags of --local), by the server's spelling of their names
// ("greeting_timeout_ms"), as text.
std::map<std::string, std::string, std::less<>> EngineOptionsGiven(const Args& args);

// Parses argv[1..]. On a usage error returns nullopt and sets `error` to one line; the caller
// prints it with the usage of `error_command` (may be nullptr).
std::optional<Args> Parse(const std::vector<std::string>& argv, std::string* error,
                          const CommandDef** error_command);

// "channelctl --help" and "channelctl COMMAND --help".
std::string MainHelp();
std::string CommandHelp(const CommandDef& command);
// The one-line usage of a command (or of channelctl).
std::string Usage(const CommandDef* command);

// "30s", "1500ms", "2m", "45" (seconds). nullopt if malformed or not positive.
std::optional<long long> ParseDurationMs(std::string_view text);

}  // namespace channelctl
