// The timeline's pure parts: the layout of probes on one axis (channelverify/timeline.h) and
// channelctl's drawing of it in terminal characters.
#include "channelverify/timeline.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "channelctl/render.h"
#include "channelctl/timeline_text.h"

namespace {
namespace v1 = channelverify::v1;
namespace tl = channelverify::timeline;
using channelctl::BarCells;
using channelctl::RenderTimeline;
using channelctl::TimelineStyle;

void SetMicros(int64_t us, google::protobuf::Duration* d) {
  d->set_seconds(us / 1000000);
  d->set_nanos(static_cast<int32_t>(us % 1000000) * 1000);
}

v1::Probe* Add(google::protobuf::RepeatedPtrField<v1::Probe>* probes, const std::string& name,
               int64_t start_us, int64_t duration_us, v1::ProbeStatus status = v1::PROBE_STATUS_OK,
               const std::string& target = "", const std::string& tls_mode = "") {
  v1::Probe* p = probes->Add();
  p->set_name(name);
  p->set_status(status);
  p->set_target(target);
  SetMicros(start_us, p->mutable_started_after());
  SetMicros(duration_us, p->mutable_duration());
  if (!tls_mode.empty()) (*p->mutable_facts())["tls_mode"] = tls_mode;
  return p;
}

// A greeting that timed out on the configured port, then the three usual alternatives side by
// side: as the engine reports a silent server (times in µs).
google::protobuf::RepeatedPtrField<v1::Probe> SilentServer() {
  google::protobuf::RepeatedPtrField<v1::Probe> probes;
  Add(&probes, "dns.host", 60, 450, v1::PROBE_STATUS_OK, "smtp.t.test");
  Add(&probes, "dns.mx", 310, 200, v1::PROBE_STATUS_OK, "t.test");
  Add(&probes, "egress", 520, 8, v1::PROBE_STATUS_OK, "smtp.t.test:2525");
  Add(&probes, "smtp.tcp", 560, 100, v1::PROBE_STATUS_OK, "smtp.t.test:2525 127.0.0.1");
  Add(&probes, "smtp.greeting", 670, 800000, v1::PROBE_STATUS_TIMED_OUT,
      "smtp.t.test:2525 127.0.0.1");
  Add(&probes, "alt.smtp.tcp", 801000, 140, v1::PROBE_STATUS_OK, "smtp.t.test:2525 127.0.0.1",
      "implicit");
  Add(&probes, "alt.smtp.tcp", 801050, 66, v1::PROBE_STATUS_FAILED, "smtp.t.test:587 127.0.0.1",
      "starttls");
  Add(&probes, "alt.smtp.tcp", 801070, 43, v1::PROBE_STATUS_FAILED, "smtp.t.test:465 127.0.0.1",
      "implicit");
  Add(&probes, "alt.smtp.tls", 801120, 800140, v1::PROBE_STATUS_TIMED_OUT,
      "smtp.t.test:2525 127.0.0.1", "implicit");
  return probes;
}

TEST(TimelineLayout, PortOfTargets) {
  EXPECT_EQ(tl::PortOf("smtp.example.com:587 203.0.113.7"), 587u);
  EXPECT_EQ(tl::PortOf("smtp.example.com:465"), 465u);
  EXPECT_EQ(tl::PortOf("[2001:db8::1]:2525"), 2525u);
  EXPECT_EQ(tl::PortOf("dual.t.test:25 [::1]"), 25u);
  EXPECT_EQ(tl::PortOf("t.test"), 0u);
  EXPECT_EQ(tl::PortOf("[2001:db8::1]"), 0u);
  EXPECT_EQ(tl::PortOf("host:99999"), 0u);
  EXPECT_EQ(tl::PortOf("host:12a"), 0u);
  EXPECT_EQ(tl::PortOf(""), 0u);
}

TEST(TimelineLayout, TicksAreRoundAndFewEnough) {
  EXPECT_EQ(tl::Ticks(1601260, 6), (std::vector<int64_t>{0, 500000, 1000000, 1500000}));
  EXPECT_EQ(tl::Ticks(16000, 5), (std::vector<int64_t>{0, 5000, 10000, 15000}));
  EXPECT_EQ(tl::Ticks(1000, 6), (std::vector<int64_t>{0, 200, 400, 600, 800, 1000}));
  EXPECT_EQ(tl::Ticks(1, 6), (std::vector<int64_t>{0, 1}));
  for (int64_t span : {1LL, 7LL, 999LL, 123456LL, 120000000LL}) {
    for (int max : {2, 4, 9}) {
      const auto ticks = tl::Ticks(span, max);
      EXPECT_LE(static_cast<int>(ticks.size()), max) << span << " " << max;
      EXPECT_GE(ticks.size(), 1u);
      EXPECT_EQ(ticks.front(), 0);
      EXPECT_LE(ticks.back(), span);
    }
  }
}

TEST(TimelineLayout, AlternativesAreGroupsOfTheirOwnByPortAndMode) {
  const auto probes = SilentServer();
  const tl::Layout layout = tl::Lay(probes, 1602000);
  EXPECT_EQ(layout.span_us, 1602000);  // the elapsed time is later than the last probe's end
  ASSERT_EQ(layout.groups.size(), 4u);
  EXPECT_FALSE(layout.groups[0].alternative);
  EXPECT_EQ(layout.groups[0].probes, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(layout.groups[0].first_failure, 4);  // the greeting
  // Same port as the configured one, implicit TLS: its TCP and TLS steps in one group.
  EXPECT_TRUE(layout.groups[1].alternative);
  EXPECT_EQ(layout.groups[1].port, 2525u);
  EXPECT_EQ(layout.groups[1].tls_mode, v1::TLS_MODE_IMPLICIT);
  EXPECT_EQ(layout.groups[1].probes, (std::vector<int>{5, 8}));
  EXPECT_EQ(layout.groups[1].first_failure, 8);
  EXPECT_EQ(layout.groups[2].port, 587u);
  EXPECT_EQ(layout.groups[2].tls_mode, v1::TLS_MODE_STARTTLS);
  EXPECT_EQ(layout.groups[3].port, 465u);
  EXPECT_EQ(layout.groups[3].first_failure, 7);
}

TEST(TimelineLayout, ProbesAreOrderedByStartAndTheSpanCoversThem) {
  google::protobuf::RepeatedPtrField<v1::Probe> probes;
  Add(&probes, "b", 500, 100);
  Add(&probes, "a", 100, 2000);
  const tl::Layout layout = tl::Lay(probes);
  ASSERT_EQ(layout.groups.size(), 1u);
  EXPECT_EQ(layout.groups[0].probes, (std::vector<int>{1, 0}));
  EXPECT_EQ(layout.span_us, 2100);
  EXPECT_TRUE(tl::Lay({}).groups.empty());
  EXPECT_EQ(tl::Lay({}).span_us, 1);
}

TEST(TimelineText, BarCellsInEighths) {
  // 10 columns over 80 µs: one column is 8 µs, one eighth 1 µs.
  EXPECT_EQ(BarCells(0, 80, 80, 10, false, false), "██████████");
  EXPECT_EQ(BarCells(0, 12, 80, 10, false, false), "█▌        ");
  EXPECT_EQ(BarCells(16, 17, 80, 10, false, false), "  ▏       ");
  // Too short to see: still the smallest mark, at its start.
  EXPECT_EQ(BarCells(40, 40, 80, 10, false, false), "     ▏    ");
  EXPECT_EQ(BarCells(40, 40, 80, 10, false, true), "     ·    ");
  EXPECT_EQ(BarCells(0, 12, 80, 10, true, false), "##        ");
  EXPECT_EQ(BarCells(16, 17, 80, 10, true, false), "  #       ");
  EXPECT_EQ(BarCells(40, 40, 80, 10, true, true), "     .    ");
  // Never past the last column, whatever the times say.
  EXPECT_EQ(BarCells(79, 500, 80, 10, false, false), "         ▏");
  EXPECT_EQ(BarCells(-5, 8, 80, 10, true, false), "#         ");
}

// Columns as a terminal counts them: every character the timeline draws is one column wide.
size_t Columns(const std::string& line) {
  size_t n = 0;
  for (unsigned char c : line) n += (c & 0xC0) != 0x80;
  return n;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  EXPECT_EQ(start, text.size()) << "the last line ends with a newline";
  return lines;
}

TEST(TimelineText, FitsEightyColumnsAndHasOneRowPerProbe) {
  const auto probes = SilentServer();
  for (bool ascii : {false, true}) {
    for (bool german : {false, true}) {
      TimelineStyle style;
      style.ascii = ascii;
      style.german = german;
      const std::string text = RenderTimeline(probes, 1602000, style);
      size_t rows = 0;
      for (const std::string& line : Lines(text)) {
        EXPECT_LE(Columns(line), 80u) << line;
        if (ascii) {
          for (unsigned char c : line) EXPECT_LT(c, 0x80) << line;
        }
        // A probe's row: its status mark, a space, its name.
        const std::string rest = line.substr(line.find(' ') + 1);
        for (const auto& p : probes) {
          if (rest.starts_with(p.name() + " ")) {
            ++rows;
            break;
          }
        }
      }
      EXPECT_EQ(rows, static_cast<size_t>(probes.size())) << text;
    }
  }
}

TEST(TimelineText, Snapshot) {
  TimelineStyle style;
  const std::string text = RenderTimeline(SilentServer(), 1602000, style);
  EXPECT_EQ(text,
            "             ms 0                500              1000             1500\n"
            "                ┬────────────────┬────────────────┬────────────────┬───\n"
            "✓ dns.host      ▏                                                           0 ms\n"
            "✓ dns.mx        ▏                                                           0 ms\n"
            "✓ egress        ▏                                                           0 ms\n"
            "✓ smtp.tcp      ▏                                                           0 ms\n"
            "⏱ smtp.greeting ███████████████████████████▌                              800 ms\n"
            "  alternative: port 2525, implicit TLS\n"
            "✓ alt.smtp.tcp                             ▏                                0 ms\n"
            "⏱ alt.smtp.tls                             ███████████████████████████▌   800 ms\n"
            "  alternative: port 587, STARTTLS\n"
            "✗ alt.smtp.tcp                             ▏                                0 ms\n"
            "  alternative: port 465, implicit TLS\n"
            "✗ alt.smtp.tcp                             ▏                                0 ms\n"
            "✓ ok  ✗ failed  ⏱ timed out  – skipped\n")
      << text;
}

TEST(TimelineText, ColourOnlyWhenAskedAndNothingWithoutProbes) {
  TimelineStyle style;
  EXPECT_EQ(RenderTimeline({}, 0, style), "");
  EXPECT_EQ(RenderTimeline(SilentServer(), 0, style).find("\033["), std::string::npos);
  style.color = true;
  EXPECT_NE(RenderTimeline(SilentServer(), 0, style).find("\033[33m"), std::string::npos);
}

TEST(TimelineText, LocaleDecidesUnicode) {
  EXPECT_TRUE(channelctl::LocaleIsUtf8("C.UTF-8"));
  EXPECT_TRUE(channelctl::LocaleIsUtf8("de_DE.utf8"));
  EXPECT_FALSE(channelctl::LocaleIsUtf8("C"));
  EXPECT_FALSE(channelctl::LocaleIsUtf8("POSIX"));
  EXPECT_FALSE(channelctl::LocaleIsUtf8("de_DE.ISO-8859-1"));
  EXPECT_FALSE(channelctl::LocaleIsUtf8(""));
}

TEST(TimelineText, VerifyOutputCarriesTheTimelineOnlyWhenAsked) {
  v1::VerifyChannelResponse response;
  *response.mutable_probes() = SilentServer();
  response.set_verdict(v1::VERDICT_FAIL);
  channelctl::Style style;
  EXPECT_EQ(channelctl::RenderVerify(response, "h", style).find("┬"), std::string::npos);
  style.timeline = true;
  const std::string out = channelctl::RenderVerify(response, "h", style);
  EXPECT_NE(out.find("┬"), std::string::npos) << out;
  // After the probe lines, before the verdict.
  EXPECT_LT(out.find("alt.smtp.tls"), out.find("┬"));
  EXPECT_LT(out.find("┬"), out.find("FAIL"));
  // The alternatives' lines in the listing say which setting they tried.
  EXPECT_NE(out.find("✗ alt.smtp.tcp        0 ms  port 587 STARTTLS"), std::string::npos) << out;
}

}  // namespace
