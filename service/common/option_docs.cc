#include "common/option_docs.h"

#include <algorithm>
#include <string_view>
#include <vector>

namespace cv {
namespace {

struct Group {
  std::string_view name;
  std::vector<const OptionSpec*> options;
};

// The groups in the order they first appear, each with its options in table order.
std::vector<Group> ByGroup(std::span<const OptionSpec> options) {
  std::vector<Group> groups;
  for (const OptionSpec& o : options) {
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const Group& g) { return g.name == o.group; });
    if (it == groups.end()) it = groups.insert(groups.end(), Group{o.group, {}});
    it->options.push_back(&o);
  }
  return groups;
}

std::string Usage(const OptionSpec& o) {
  std::string usage = "--" + std::string(o.name);
  if (!o.placeholder.empty()) usage += "=" + std::string(o.placeholder);
  return usage;
}

// `text` in lines of at most `width` columns (a longer word stands alone), each after `indent`.
std::string Wrap(std::string_view text, size_t width, std::string_view indent) {
  std::string out;
  size_t column = 0;
  while (!text.empty()) {
    const size_t space = text.find(' ');
    const std::string_view word = text.substr(0, space);
    if (column > 0 && column + 1 + word.size() > width) {
      out += "\n";
      column = 0;
    }
    out += column == 0 ? indent : " ";
    out += word;
    column += (column == 0 ? 0 : 1) + word.size();
    text.remove_prefix(space == std::string_view::npos ? text.size() : space + 1);
  }
  return out + "\n";
}

// A cell of a Markdown table: a "|" would end it.
std::string Cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string OptionsHelp(std::span<const OptionSpec> options) {
  std::string out;
  for (const Group& group : ByGroup(options)) {
    out += "\n" + std::string(group.name) + ":\n";
    for (const OptionSpec* o : group.options) {
      out += "  " + Usage(*o) +
             "  (default: " + (o->default_text.empty() ? "empty" : std::string(o->default_text)) +
             ")\n";
      out += Wrap(o->help, 90, "      ");
    }
  }
  return out;
}

std::string OptionsMarkdown(std::span<const OptionSpec> options) {
  std::string out;
  for (const Group& group : ByGroup(options)) {
    out += "\n**" + std::string(group.name) + "**\n\n| flag | default | meaning |\n|---|---|---|\n";
    for (const OptionSpec* o : group.options) {
      out += "| `" + Cell(Usage(*o)) + "` | " +
             (o->default_text.empty() ? "(empty)" : "`" + Cell(o->default_text) + "`") + " | " +
             Cell(o->help) + " |\n";
    }
  }
  return out;
}

}  // namespace cv
