// The option tables (probe/engine_options.h, rpc/server_options.h): well-formed rows, defaults
// that mean what the typed fields hold, and an engine that builds from its defaults.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

#include "common/option.h"
#include "probe/config.h"
#include "probe/engine_options.h"
#include "rpc/server_options.h"

namespace cv {
namespace {

TEST(OptionsTest, NamesAreUniqueFlagNames) {
  std::set<std::string_view> seen;
  for (const OptionSpec& o : rpc::AllServerOptions()) {
    EXPECT_TRUE(seen.insert(o.name).second) << "--" << o.name << " is defined twice";
    EXPECT_TRUE(std::regex_match(std::string(o.name), std::regex("[a-z][a-z0-9_]*"))) << o.name;
  }
  EXPECT_EQ(seen.size(), rpc::ServerOptions().size() + probe::EngineOptions().size());
}

TEST(OptionsTest, EveryOptionHasHelpGroupAndPlaceholder) {
  for (const OptionSpec& o : rpc::AllServerOptions()) {
    EXPECT_FALSE(o.help.empty()) << o.name;
    EXPECT_FALSE(o.group.empty()) << o.name;
    // A switch takes no value; everything else says what its value is.
    EXPECT_EQ(o.placeholder.empty(), o.type == OptionType::kBool) << o.name;
  }
}

TEST(OptionsTest, DefaultsParseAsTheirType) {
  for (const OptionSpec& o : rpc::AllServerOptions()) {
    bool b;
    int i;
    std::string s;
    const absl::Status parsed =
        o.type == OptionType::kBool  ? ParseOption(o.name, o.default_text, &b)
        : o.type == OptionType::kInt ? ParseOption(o.name, o.default_text, &i)
                                     : ParseOption(o.name, o.default_text, &s);
    EXPECT_TRUE(parsed.ok()) << parsed;
  }
}

// The text the README and --help show as the default is the default the engine starts from.
TEST(OptionsTest, EngineDefaultTextsAreTheTypedDefaults) {
  probe::ConfigOptions from_text;
  for (const OptionSpec& o : probe::EngineOptions()) {
    ASSERT_TRUE(probe::SetEngineOption(o.name, o.default_text, &from_text).ok()) << o.name;
  }
  const probe::ConfigOptions typed;
#define CV_EXPECT_SAME(type, name, ...) EXPECT_EQ(from_text.name, typed.name) << #name;
  CV_ENGINE_OPTIONS(CV_EXPECT_SAME)
#undef CV_EXPECT_SAME
}

TEST(OptionsTest, EngineBuildsFromItsDefaultsWithTheStepTimeouts) {
  probe::ConfigOptions options;
  ASSERT_TRUE(probe::SetEngineOption("greeting_timeout_ms", "1500", &options).ok());
  auto config = probe::BuildConfig(options);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ((*config)->timeouts.greeting, std::chrono::milliseconds(1500));
  EXPECT_EQ((*config)->timeouts.dns, std::chrono::milliseconds(5000));
  EXPECT_EQ((*config)->max_addresses_per_name, 8u);
}

TEST(OptionsTest, BadValuesNameTheOption) {
  probe::ConfigOptions options;
  const absl::Status word = probe::SetEngineOption("dns_timeout_ms", "soon", &options);
  EXPECT_EQ(word.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(word.message().find("--dns_timeout_ms=soon"), absl::string_view::npos) << word;
  EXPECT_FALSE(probe::SetEngineOption("listen", "127.0.0.1:1", &options).ok());
  options.tls_timeout_ms = 0;
  auto config = probe::BuildConfig(options);
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("--tls_timeout_ms"), absl::string_view::npos)
      << config.status();
}

}  // namespace
}  // namespace cv
