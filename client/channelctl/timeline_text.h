// channelctl --timeline: each probe as a bar on one time axis, in terminal characters, so that
// what ran at the same time and what waited for what shows at a glance. Pure functions of the
// probes (layout from channelverify/timeline.h), so the tests compare exact text.
#pragma once

#include <cstdint>
#include <string>

#include "channelverify/v1/channel_verifier.pb.h"

namespace channelctl {

struct TimelineStyle {
  bool ascii = false;  // --ascii, or a terminal whose locale is not UTF-8
  bool color = false;
  bool german = false;
  int width = 80;  // no line is wider (in columns)
};

// The bar of one probe in exactly `cells` columns: blank up to its start, then its length in
// eighths of a column (Unicode) or whole columns of '#' (ASCII). A probe too short to see still
// gets the smallest mark; a skipped one (no time) a dot.
std::string BarCells(int64_t start_us, int64_t end_us, int64_t span_us, int cells, bool ascii,
                     bool skipped);

// The whole timeline: an axis with round tick marks, then one row per probe (status mark,
// name, bar, duration), the alternatives each under a line that names their port and TLS mode.
// `elapsed_us` is the call's time when known (0 otherwise). Empty when there are no probes.
std::string RenderTimeline(
    const google::protobuf::RepeatedPtrField<channelverify::v1::Probe>& probes, int64_t elapsed_us,
    const TimelineStyle& style);

// Whether a locale name (LC_ALL, LC_CTYPE or LANG, first one set) promises UTF-8; "" and "C"
// and "POSIX" do not.
bool LocaleIsUtf8(std::string_view locale);

}  // namespace channelctl
