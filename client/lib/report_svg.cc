#include "report_svg.h"

#include <algorithm>
#include <cstdio>

#include "channelverify/timeline.h"

namespace channelverify::report {
namespace tl = channelverify::timeline;

namespace {

// The drawing's grid, in user units: names on the left, bars in the middle, durations right.
constexpr double kWidth = 720, kBarsLeft = 190, kBarsWidth = 450, kRow = 18, kBarHeight = 11,
                 kAxis = 26;

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// A step's duration as a person reads it: whole ms from 10 ms on, else with decimals.
std::string Took(int64_t us) {
  char buf[32];
  if (us >= 10000) {
    std::snprintf(buf, sizeof buf, "%lld ms", static_cast<long long>((us + 500) / 1000));
  } else if (us >= 1000) {
    std::snprintf(buf, sizeof buf, "%.1f ms", static_cast<double>(us) / 1000.0);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f ms", static_cast<double>(us) / 1000.0);
  }
  return buf;
}

}  // namespace

std::string_view StatusWord(v1::ProbeStatus status) {
  switch (status) {
    case v1::PROBE_STATUS_OK:
      return "ok";
    case v1::PROBE_STATUS_FAILED:
      return "failed";
    case v1::PROBE_STATUS_TIMED_OUT:
      return "timed-out";
    default:
      return "skipped";
  }
}

BarBox BarGeometry(int64_t start_us, int64_t end_us, int64_t span_us, double left, double width,
                   double min_width) {
  span_us = std::max<int64_t>(span_us, 1);
  start_us = std::clamp<int64_t>(start_us, 0, span_us);
  end_us = std::clamp<int64_t>(end_us, start_us, span_us);
  BarBox box;
  box.x = left + width * static_cast<double>(start_us) / static_cast<double>(span_us);
  box.width = std::max(
      min_width, width * static_cast<double>(end_us - start_us) / static_cast<double>(span_us));
  // A minimal bar at the very end is drawn ending there rather than sticking out.
  box.x = std::min(box.x, left + width - box.width);
  return box;
}

std::string TimelineSvg(const google::protobuf::RepeatedPtrField<v1::Probe>& probes,
                        int64_t elapsed_us, const Labels& labels, const SafeText& text) {
  if (probes.empty()) return "";
  const tl::Layout layout = tl::Lay(probes, elapsed_us, 7);
  const std::string unit_name(tl::UnitName(layout.unit_us));

  int rows = 0;
  for (const auto& g : layout.groups)
    rows += static_cast<int>(g.probes.size()) + (g.alternative ? 1 : 0);
  const double height = kAxis + rows * kRow + 6;

  std::string body;
  // The axis: a light line down the drawing at each tick, its value on top.
  for (int64_t t : layout.ticks_us) {
    const double x = BarGeometry(t, t, layout.span_us, kBarsLeft, kBarsWidth, 0).x;
    body += "<line class=\"tick\" x1=\"" + Num(x) + "\" y1=\"" + Num(kAxis - 6) + "\" x2=\"" +
            Num(x) + "\" y2=\"" + Num(height - 4) + "\"/>";
    body += "<text class=\"tick-label\" x=\"" + Num(x) + "\" y=\"" + Num(kAxis - 10) +
            "\" text-anchor=\"middle\">" + tl::TickText(t, layout.unit_us) + "</text>";
  }
  body += "<text class=\"tick-label\" x=\"" + Num(kBarsLeft - 8) + "\" y=\"" + Num(kAxis - 10) +
          "\" text-anchor=\"end\">" + unit_name + "</text>";

  double y = kAxis;
  for (const tl::Group& group : layout.groups) {
    if (group.alternative) {
      std::string title = std::string(labels.alternative);
      if (group.port != 0) {
        title += ": " + std::string(labels.port_in_text) + " " + std::to_string(group.port);
      }
      if (group.tls_mode != v1::TLS_MODE_UNSPECIFIED) {
        title += ", " + std::string(ModeName(labels, group.tls_mode));
      }
      body += "<text class=\"group-label\" x=\"4\" y=\"" + Num(y + kRow - 5) + "\">" + text(title) +
              "</text>";
      y += kRow;
    }
    for (int i : group.probes) {
      const v1::Probe& p = probes[i];
      const int64_t start = tl::Micros(p.started_after());
      const int64_t end = start + tl::Micros(p.duration());
      const BarBox box = BarGeometry(start, end, layout.span_us, kBarsLeft, kBarsWidth);
      const bool skipped = p.status() == v1::PROBE_STATUS_SKIPPED;
      const std::string took = skipped ? "" : Took(end - start);
      body += "<text class=\"probe-label\" x=\"" + Num(group.alternative ? 14 : 4) + "\" y=\"" +
              Num(y + kRow - 5) + "\">" + text(p.name()) + "</text>";
      body += "<rect class=\"probe-bar probe-" + std::string(StatusWord(p.status())) + "\" x=\"" +
              Num(box.x) + "\" y=\"" + Num(y + (kRow - kBarHeight) / 2) + "\" width=\"" +
              Num(box.width) + "\" height=\"" + Num(kBarHeight) + "\"><title>" +
              text(p.name() + " · " + std::string(StatusName(labels, p.status())) + " · " +
                   Took(start) + (took.empty() ? "" : " + " + took) +
                   (p.target().empty() ? "" : " · " + p.target()) +
                   (p.detail().empty() ? "" : " · " + p.detail())) +
              "</title></rect>";
      body += "<text class=\"probe-time\" x=\"" + Num(kWidth - 4) + "\" y=\"" + Num(y + kRow - 5) +
              "\" text-anchor=\"end\">" + took + "</text>";
      y += kRow;
    }
  }
  return "<svg class=\"timeline\" viewBox=\"0 0 " + Num(kWidth) + " " + Num(height) +
         "\" role=\"img\" aria-label=\"" + text(labels.timeline) + "\">" + body + "</svg>";
}

}  // namespace channelverify::report
