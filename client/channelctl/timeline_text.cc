#include "channelctl/timeline_text.h"

#include <algorithm>
#include <cstdio>
#include <string_view>
#include <vector>

#include "channelverify/timeline.h"

namespace channelctl {
namespace v1 = channelverify::v1;
namespace tl = channelverify::timeline;

namespace {

constexpr std::string_view kGreen = "\033[32m", kRed = "\033[31m", kYellow = "\033[33m",
                           kDim = "\033[2m", kReset = "\033[0m";

// Left-aligned blocks of 1..7 eighths of a column; U+2588 is the whole column.
constexpr std::string_view kEighths[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
constexpr std::string_view kFull = "█";

constexpr int kDurationColumns = 8;  // "99999 ms"
constexpr int kMinLabel = 8, kMaxLabel = 22;

std::string Mark(v1::ProbeStatus status, bool ascii) {
  switch (status) {
    case v1::PROBE_STATUS_OK:
      return ascii ? "+" : "✓";
    case v1::PROBE_STATUS_FAILED:
      return ascii ? "x" : "✗";
    case v1::PROBE_STATUS_TIMED_OUT:
      return ascii ? "~" : "⏱";
    default:
      return ascii ? "-" : "–";
  }
}

std::string_view ColorOf(v1::ProbeStatus status) {
  switch (status) {
    case v1::PROBE_STATUS_OK:
      return kGreen;
    case v1::PROBE_STATUS_FAILED:
      return kRed;
    case v1::PROBE_STATUS_TIMED_OUT:
      return kYellow;
    default:
      return kDim;
  }
}

std::string Paint(bool color, std::string_view code, std::string text) {
  if (!color || text.empty()) return text;
  return std::string(code) + text + std::string(kReset);
}

std::string Pad(std::string text, size_t width) {
  if (text.size() > width) {
    text.resize(width - 1);
    text += '~';  // probe names are ASCII: one byte, one column
  }
  text.resize(width, ' ');
  return text;
}

std::string Duration(int64_t us) {
  char buf[32];
  const long long ms = us / 1000;
  if (ms < 100000) {
    std::snprintf(buf, sizeof buf, "%lld ms", ms);
  } else {
    std::snprintf(buf, sizeof buf, "%lld s", ms / 1000);
  }
  std::string s = buf;
  return std::string(
             kDurationColumns > static_cast<int>(s.size()) ? kDurationColumns - s.size() : 0, ' ') +
         s;
}

std::string ModeName(v1::TlsMode mode, bool german) {
  switch (mode) {
    case v1::TLS_MODE_STARTTLS:
      return "STARTTLS";
    case v1::TLS_MODE_IMPLICIT:
      return german ? "implizites TLS" : "implicit TLS";
    case v1::TLS_MODE_NONE:
      return german ? "ohne TLS" : "no TLS";
    default:
      return "";
  }
}

std::string GroupLine(const tl::Group& g, const TimelineStyle& style) {
  std::string line = style.german ? "Alternative" : "alternative";
  if (g.port != 0)
    line += std::string(style.german ? ": Port " : ": port ") + std::to_string(g.port);
  if (const std::string mode = ModeName(g.tls_mode, style.german); !mode.empty()) {
    line += (g.port != 0 ? ", " : ": ") + mode;
  }
  return "  " + Paint(style.color, kDim, line) + "\n";
}

// Where time `t` falls among `cells` columns, in eighths of a column.
int64_t Eighths(int64_t t, int64_t span_us, int cells) {
  return (t * cells * 8 + span_us / 2) / span_us;
}

}  // namespace

std::string BarCells(int64_t start_us, int64_t end_us, int64_t span_us, int cells, bool ascii,
                     bool skipped) {
  span_us = std::max<int64_t>(span_us, 1);
  start_us = std::clamp<int64_t>(start_us, 0, span_us);
  end_us = std::clamp<int64_t>(end_us, start_us, span_us);
  // The start is drawn at the left edge of the column it falls in (blocks only grow from
  // there); the length is the probe's own, so that a short step never looks longer.
  const int64_t start8 = Eighths(start_us, span_us, cells);
  const int start_cell = static_cast<int>(std::min<int64_t>(start8 / 8, cells - 1));
  int64_t length = Eighths(end_us, span_us, cells) - start8;
  std::string out(static_cast<size_t>(start_cell), ' ');
  int used = start_cell;
  if (skipped) {
    out += ascii ? "." : "·";
    ++used;
  } else if (ascii) {
    const int n = std::max(1, static_cast<int>((length + 4) / 8));
    for (int i = 0; i < n && used < cells; ++i, ++used) out += '#';
  } else {
    length = std::max<int64_t>(length, 1);  // too short to see still leaves a mark
    for (; length >= 8 && used < cells; length -= 8, ++used) out += kFull;
    if (length > 0 && used < cells) {
      out += kEighths[length];
      ++used;
    }
  }
  out.append(static_cast<size_t>(cells - used), ' ');
  return out;
}

std::string RenderTimeline(const google::protobuf::RepeatedPtrField<v1::Probe>& probes,
                           int64_t elapsed_us, const TimelineStyle& style) {
  if (probes.empty()) return "";
  int label = kMinLabel;
  for (const auto& p : probes) label = std::max(label, static_cast<int>(p.name().size()));
  label = std::min(label, kMaxLabel);
  // mark, space, name, space, bars, space, duration
  const int cells = std::max(10, style.width - (1 + 1 + label + 1 + 1 + kDurationColumns));
  // A tick label needs about eight columns to stand apart from the next one.
  const tl::Layout layout = tl::Lay(probes, elapsed_us, std::max(2, cells / 9));

  // The axis: tick values above a ruler, the unit where the names stand.
  const int axis_width = cells + 1 + kDurationColumns;
  std::string numbers(static_cast<size_t>(axis_width), ' ');
  std::string ruler;
  std::vector<int> tick_cells;
  int free_from = 0;
  for (int64_t t : layout.ticks_us) {
    const int cell =
        static_cast<int>(std::min<int64_t>(Eighths(t, layout.span_us, cells) / 8, cells - 1));
    tick_cells.push_back(cell);
    const std::string text = tl::TickText(t, layout.unit_us);
    const int at = std::min(cell, axis_width - static_cast<int>(text.size()));
    if (at < free_from) continue;
    numbers.replace(static_cast<size_t>(at), text.size(), text);
    free_from = at + static_cast<int>(text.size()) + 1;
  }
  for (int c = 0; c < cells; ++c) {
    const bool tick = std::find(tick_cells.begin(), tick_cells.end(), c) != tick_cells.end();
    ruler += style.ascii ? (tick ? "+" : "-") : (tick ? "┬" : "─");
  }
  while (!numbers.empty() && numbers.back() == ' ') numbers.pop_back();
  const std::string unit_name(tl::UnitName(layout.unit_us));
  std::string out = std::string(static_cast<size_t>(2 + label - unit_name.size()), ' ') +
                    unit_name + " " + numbers + "\n";
  out +=
      std::string(static_cast<size_t>(2 + label + 1), ' ') + Paint(style.color, kDim, ruler) + "\n";

  for (const tl::Group& group : layout.groups) {
    if (group.alternative) out += GroupLine(group, style);
    for (int i : group.probes) {
      const v1::Probe& p = probes[i];
      const int64_t start = tl::Micros(p.started_after());
      const int64_t end = start + tl::Micros(p.duration());
      const bool skipped = p.status() == v1::PROBE_STATUS_SKIPPED;
      std::string bar = BarCells(start, end, layout.span_us, cells, style.ascii, skipped);
      // Colour only the drawn part, so the padding stays plain.
      const size_t first = bar.find_first_not_of(' ');
      const size_t last = bar.find_last_not_of(' ');
      if (style.color && first != std::string::npos) {
        bar = bar.substr(0, first) +
              Paint(true, ColorOf(p.status()), bar.substr(first, last - first + 1)) +
              bar.substr(last + 1);
      }
      std::string line = Paint(style.color, ColorOf(p.status()), Mark(p.status(), style.ascii)) +
                         " " + Pad(p.name(), static_cast<size_t>(label)) + " " + bar + " " +
                         (skipped ? std::string(kDurationColumns, ' ') : Duration(end - start));
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
  }
  const std::string legend =
      style.german ? Mark(v1::PROBE_STATUS_OK, style.ascii) + " ok  " +
                         Mark(v1::PROBE_STATUS_FAILED, style.ascii) + " fehlgeschlagen  " +
                         Mark(v1::PROBE_STATUS_TIMED_OUT, style.ascii) + " Zeit abgelaufen  " +
                         Mark(v1::PROBE_STATUS_SKIPPED, style.ascii) +
                         (style.ascii ? " nicht ausgefuehrt" : " nicht ausgeführt")
                   : Mark(v1::PROBE_STATUS_OK, style.ascii) + " ok  " +
                         Mark(v1::PROBE_STATUS_FAILED, style.ascii) + " failed  " +
                         Mark(v1::PROBE_STATUS_TIMED_OUT, style.ascii) + " timed out  " +
                         Mark(v1::PROBE_STATUS_SKIPPED, style.ascii) + " skipped";
  out += Paint(style.color, kDim, legend) + "\n";
  return out;
}

bool LocaleIsUtf8(std::string_view locale) {
  std::string lower;
  for (char c : locale) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return lower.find("utf-8") != std::string::npos || lower.find("utf8") != std::string::npos;
}

}  // namespace channelctl
