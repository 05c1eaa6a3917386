// Every diagnosis comes from a row in service/diagnosis/ (docs/architecture.md, principle 6):
// the engines report observations and server replies and may read a finding's code, but never
// make up a code, a severity, a confidence or a variant of their own. This test reads the
// sources of service/ and fails on any line outside service/diagnosis/ that does.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace cv {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// The source with comments blanked and string literals emptied (quotes kept), newlines kept
// so that positions still give line numbers.
std::string CodeOnly(std::string_view source) {
  enum class State { kCode, kString, kChar, kLineComment, kBlockComment };
  State state = State::kCode;
  std::string out(source);
  for (size_t i = 0; i < source.size(); ++i) {
    const char c = source[i];
    const char next = i + 1 < source.size() ? source[i + 1] : '\0';
    switch (state) {
      case State::kCode:
        if (c == '/' && next == '/') {
          state = State::kLineComment;
          out[i] = ' ';
        } else if (c == '/' && next == '*') {
          state = State::kBlockComment;
          out[i] = ' ';
        } else if (c == '"') {
          state = State::kString;
        } else if (c == '\'') {
          state = State::kChar;
        }
        break;
      case State::kString:
      case State::kChar:
        if (c == '\\' && next != '\n') {
          out[i] = ' ';
          out[++i] = ' ';
        } else if ((c == '"' && state == State::kString) || (c == '\'' && state == State::kChar)) {
          state = State::kCode;
        } else if (c != '\n') {
          out[i] = ' ';
        }
        break;
      case State::kLineComment:
        if (c == '\n') {
          state = State::kCode;
        } else {
          out[i] = ' ';
        }
        break;
      case State::kBlockComment:
        if (c == '*' && next == '/') {
          out[i] = ' ';
          out[++i] = ' ';
          state = State::kCode;
        } else if (c != '\n') {
          out[i] = ' ';
        }
        break;
    }
  }
  return out;
}

int LineAt(std::string_view text, size_t pos) {
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + pos, '\n'));
}

// A constant may be compared with, switched on or looked up in a recorder; any other use
// (an assignment, an initializer, an argument) makes a diagnosis.
bool IsRead(std::string_view code, size_t pos) {
  static const std::regex kRead(R"((==|!=|\bcase|\bHas\()\s*(\w+::)*$)");
  const size_t from = pos > 120 ? pos - 120 : 0;
  const std::string before(code.substr(from, pos - from));
  return std::regex_search(before, kRead);
}

// "LINE: what" for each line of `source` that makes up part of a diagnosis.
std::vector<std::string> RuleWrites(std::string_view source) {
  const std::string code = CodeOnly(source);
  struct Pattern {
    std::regex regex;
    bool reads_allowed;  // compared, switched on or looked up: fine
    const char* what;
  };
  static const std::vector<Pattern> kPatterns = {
      {std::regex(R"(\b(\w+::)*DIAGNOSIS_CODE_(?!UNSPECIFIED\b)[A-Z0-9_]+)"), true, "a code"},
      {std::regex(R"(static_cast<\s*(\w+::)*DiagnosisCode\s*>)"), false, "a code"},
      {std::regex(R"(\b(\w+::)*SEVERITY_(?!UNSPECIFIED\b)[A-Z_]+)"), true, "a severity"},
      {std::regex(R"(\bconfidence\s*=\s*[0-9.])"), false, "a confidence"},
      {std::regex(R"(\bvariant\s*=\s*")"), false, "a variant"},
      {std::regex(R"(\bset_(severity|confidence|variant)\s*\()"), false, "a diagnosis field"},
  };
  std::vector<std::string> out;
  for (const Pattern& p : kPatterns) {
    for (auto it = std::sregex_iterator(code.begin(), code.end(), p.regex);
         it != std::sregex_iterator(); ++it) {
      const size_t pos = static_cast<size_t>(it->position());
      if (p.reads_allowed && IsRead(code, pos)) continue;
      out.push_back(std::to_string(LineAt(code, pos)) + ": " + p.what + " (" + it->str() + ")");
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(RuleWritesTest, FindsCodesSeveritiesConfidencesAndVariantsMadeUpInline) {
  EXPECT_THAT(RuleWrites("  f.code = v1::DIAGNOSIS_CODE_IP_NOT_ALLOWLISTED;\n"),
              ElementsAre("1: a code (v1::DIAGNOSIS_CODE_IP_NOT_ALLOWLISTED)"));
  // clang-format may break an assignment after the "=".
  EXPECT_THAT(RuleWrites("x;\n  f.code =\n      channelverify::v1::DIAGNOSIS_CODE_SHARED;\n"),
              ElementsAre("3: a code (channelverify::v1::DIAGNOSIS_CODE_SHARED)"));
  EXPECT_THAT(RuleWrites("Finding f{pb::DIAGNOSIS_CODE_MESSAGE_REJECTED};"), ::testing::SizeIs(1));
  EXPECT_THAT(RuleWrites("rec.Add({.code = DIAGNOSIS_CODE_X});"), ::testing::SizeIs(1));
  EXPECT_THAT(RuleWrites("d->set_code(v1::DIAGNOSIS_CODE_X);"), ::testing::SizeIs(1));
  EXPECT_THAT(RuleWrites("f.code = static_cast<v1::DiagnosisCode>(n);"),
              ElementsAre("1: a code (static_cast<v1::DiagnosisCode>)"));
  EXPECT_THAT(RuleWrites("f.severity = v1::SEVERITY_WARNING;"),
              ElementsAre("1: a severity (v1::SEVERITY_WARNING)"));
  EXPECT_THAT(RuleWrites("f.confidence = 0.5;"), ElementsAre("1: a confidence (confidence = 0)"));
  EXPECT_THAT(RuleWrites("  f.variant = \"access-token\";"),
              ElementsAre("1: a variant (variant = \")"));
  EXPECT_THAT(RuleWrites("d.set_severity(s);"), ::testing::SizeIs(1));
}

TEST(RuleWritesTest, LetsCodesBeReadCopiedAndMentioned) {
  EXPECT_THAT(RuleWrites("if (rec.Has(v1::DIAGNOSIS_CODE_TLS_MODE_MISMATCH)) return;"), IsEmpty());
  EXPECT_THAT(RuleWrites("return code == v1::DIAGNOSIS_CODE_A ||\n"
                         "       code != channelverify::v1::DIAGNOSIS_CODE_B;"),
              IsEmpty());
  EXPECT_THAT(RuleWrites("switch (c) {\n  case v1::DIAGNOSIS_CODE_A:\n    break;\n}"), IsEmpty());
  EXPECT_THAT(RuleWrites("if (d.severity() == v1::SEVERITY_ERROR) return;"), IsEmpty());
  EXPECT_THAT(RuleWrites("DiagnosisCode code = channelverify::v1::DIAGNOSIS_CODE_UNSPECIFIED;"),
              IsEmpty());
  EXPECT_THAT(RuleWrites("report->code = finding.code;\nreport->variant = finding.variant;"),
              IsEmpty());
  EXPECT_THAT(RuleWrites("// f.code = v1::DIAGNOSIS_CODE_X;\n/* f.confidence = 0.5; */"),
              IsEmpty());
  EXPECT_THAT(RuleWrites("Log(\"f.code = DIAGNOSIS_CODE_X, f.variant = \\\"y\\\"\");"), IsEmpty());
  EXPECT_THAT(RuleWrites("std::string url = \"https://x/\"; f.code = g.code;"), IsEmpty());
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(RulesAsDataTest, NoDiagnosisIsMadeOutsideTheDiagnosisFolder) {
  const fs::path service = fs::path(CV_SOURCE_DIR) / "service";
  std::vector<std::string> violations;
  std::vector<std::string> scanned;
  for (const auto& entry : fs::recursive_directory_iterator(service)) {
    const fs::path& path = entry.path();
    if (!entry.is_regular_file() || (path.extension() != ".cc" && path.extension() != ".h")) {
      continue;
    }
    const fs::path relative = fs::relative(path, service);
    if (*relative.begin() == "diagnosis") continue;
    scanned.push_back(relative.generic_string());
    for (const std::string& v : RuleWrites(ReadFile(path))) {
      violations.push_back("service/" + relative.generic_string() + ":" + v);
    }
  }
  // A wrong path must not pass as a clean tree.
  EXPECT_GT(scanned.size(), 50u);
  EXPECT_THAT(scanned, ::testing::Contains("verify/smtp_verifier.cc"));
  EXPECT_THAT(violations, IsEmpty())
      << "make it an Observation with a row in service/diagnosis/rules.cc instead";
}

}  // namespace
}  // namespace cv
