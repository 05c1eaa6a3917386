// One setting of the server, as a row of data. The option tables (probe/engine_options.h for
// the engine, rpc/server_options.h for the server alone) define every setting once, as an X-macro
// list of rows
//
//   X(Type, name, default, placeholder, group, help)
//
// with Type one of Bool, Int, String and `default` a C++ expression of that type. The macros
// below turn a row into what each user needs: an OptionSpec (the data behind --help, the
// README's table and channelctl --local's flags), a typed struct field, or (in main.cc) an absl
// flag. A macro list rather than a plain array because absl flags and struct fields need their
// names and types at compile time.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace cv {

enum class OptionType { kBool, kInt, kString };

struct OptionSpec {
  std::string_view name;  // as the server spells it: "greeting_timeout_ms"
  OptionType type;
  std::string_view default_text;  // the default as one writes it after "=": "10000", "false", ""
  std::string_view placeholder;   // what the value is, for help: "MS", "CIDR,..."; "" for Bool
  std::string_view group;         // heading in --help and the README's configuration table
  std::string_view help;
};

// Parses `text` as absl parses the flag's value, so that an option means the same on the
// server's command line and on channelctl's. The error names the option.
absl::Status ParseOption(std::string_view name, std::string_view text, bool* out);
absl::Status ParseOption(std::string_view name, std::string_view text, int* out);
absl::Status ParseOption(std::string_view name, std::string_view text, std::string* out);

}  // namespace cv

#define CV_OPTION_CPP_TYPE_Bool bool
#define CV_OPTION_CPP_TYPE_Int int
#define CV_OPTION_CPP_TYPE_String std::string
#define CV_OPTION_DEFAULT_TEXT_Bool(value) #value
#define CV_OPTION_DEFAULT_TEXT_Int(value) #value
#define CV_OPTION_DEFAULT_TEXT_String(value) value

// A row as data: expands to one initialiser of an OptionSpec array.
#define CV_OPTION_SPEC(type, name, value, placeholder, group, help)                               \
  ::cv::OptionSpec{                                                                               \
      #name, ::cv::OptionType::k##type, CV_OPTION_DEFAULT_TEXT_##type(value), placeholder, group, \
      help},

// A row as a struct member holding its default.
#define CV_OPTION_FIELD(type, name, value, placeholder, group, help) \
  CV_OPTION_CPP_TYPE_##type name = value;
