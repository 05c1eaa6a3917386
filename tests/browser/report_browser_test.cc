// The HTML report as a person sees it: each of ReportSuite's four channels made into a report
// by channelctl, opened in headless Chromium (tests/report/browser_check.py): the page is not
// blank, it shows the colours of its bars, and the timeline built from it has one bar per
// probe. Label `browser` (tests/CMakeLists.txt); the screenshots stay in
// build/<preset>/test-artifacts/ to look at.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "report_world.h"

namespace cv::testing {
namespace {
namespace v1 = channelverify::v1;

// The fills of the report's stylesheet (client/lib/report_style.h) for each probe status.
std::string FillOf(v1::ProbeStatus status) {
  switch (status) {
    case v1::PROBE_STATUS_OK:
      return "#2e7d32";
    case v1::PROBE_STATUS_FAILED:
      return "#c62828";
    case v1::PROBE_STATUS_TIMED_OUT:
      return "#ef6c00";
    default:
      return "#9e9e9e";
  }
}

class ReportInBrowser : public ReportSuite {};

TEST_F(ReportInBrowser, EveryScenarioRendersWithOneBarPerProbe) {
  const auto dir = std::filesystem::path(CV_BINARY_DIR) / "test-artifacts";
  std::filesystem::create_directories(dir);
  for (const std::string& scenario : Scenarios()) {
    // English for all, German once more for the Microsoft case.
    for (const std::string lang : {"en", "de"}) {
      if (lang == "de" && scenario != "m365-smtp-auth-disabled") continue;
      SCOPED_TRACE(scenario + " " + lang);
      const std::string stem = "browser-" + scenario + "-" + lang;
      const MadeReport made = Make(scenario, lang, (dir / (stem + ".html")).string());
      ASSERT_EQ(made.ctl.exit_code, ExitCodeOf(scenario)) << made.ctl.err;
      ASSERT_GT(made.response.probes_size(), 0);
      std::set<std::string> fills;
      for (const auto& p : made.response.probes()) fills.insert(FillOf(p.status()));
      std::string command = absl::StrCat(
          CV_PYTHON, " ", CV_SOURCE_DIR, "/tests/report/browser_check.py '", made.path, "' ",
          made.response.probes_size(), " '", (dir / (stem + ".png")).string(), "'");
      for (const auto& fill : fills) command += " '" + fill + "'";
      const std::string out_path = (dir / (stem + ".check")).string();
      const auto start = std::chrono::steady_clock::now();
      const int rc = std::system((command + " > '" + out_path + "' 2>&1").c_str());
      const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - start);
      std::ifstream in(out_path);
      std::stringstream output;
      output << in.rdbuf();
      EXPECT_EQ(rc, 0) << output.str();
      std::cout << "[ browser  ] " << stem << " in " << took.count() << " ms: " << output.str();
    }
  }
}

}  // namespace
}  // namespace cv::testing
