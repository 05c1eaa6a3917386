// The option tables as people read them: the server's --help and the README's configuration
// table (`channel-verifier --help=markdown`, kept equal to the README by a test). Both list the
// groups in the order they first appear, each option under its group in table order.
#pragma once

#include <span>
#include <string>

#include "common/option.h"

namespace cv {

// For a terminal: each option with its placeholder and default, its help wrapped below it.
std::string OptionsHelp(std::span<const OptionSpec> options);

// For README.md: per group a caption and a table of flag, default and meaning.
std::string OptionsMarkdown(std::span<const OptionSpec> options);

}  // namespace cv
