// The CHANNEL argument of verify and send-test, and where its secrets come from.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "channelctl/args.h"
#include "channelverify/v1/channel_verifier.pb.h"

namespace channelctl {

// "smtp://jobs%40example.com@smtp.example.com:587?tls=starttls", "smtps://host", "google",
// "microsoft". The SMTP user is percent-decoded; a password in the URL is refused (it would
// sit in the shell history). Fills everything but the secrets.
bool ParseChannel(std::string_view spec, channelverify::v1::Channel* channel, std::string* error);

// "jobs%40example.com" -> "jobs@example.com"; false on a malformed escape.
bool PercentDecode(std::string_view in, std::string* out);

// Where secrets come from, so tests can replace the environment and the terminal.
struct SecretSources {
  std::function<std::optional<std::string>(const std::string& name)> env;
  // Asks on the terminal with echo off; nullopt when there is no terminal.
  std::function<std::optional<std::string>(const std::string& prompt)> prompt;
};
SecretSources SystemSecretSources();

// Completes `channel` from the flags (--from, --account, --tenant) and the secrets (files,
// environment, prompt). On a usage error returns false with a one-line `error`.
bool CompleteChannel(const Args& args, const SecretSources& sources,
                     channelverify::v1::Channel* channel, std::string* error);

// A secret file's first line, without its line end. False with `error` if unreadable or empty.
bool ReadSecretFile(const std::string& path, std::string* secret, std::string* error);

// "smtp jobs@example.com @ smtp.example.com:587 STARTTLS" (no secrets), for headers.
std::string DescribeChannel(const channelverify::v1::Channel& channel);

}  // namespace channelctl
