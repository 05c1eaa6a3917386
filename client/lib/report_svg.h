// The report's timeline: the probes as bars on one time axis, as inline SVG (no script, no
// external font or style: the page's CSS colours the classes). Internal to the client library.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "channelverify/v1/channel_verifier.pb.h"
#include "report_labels.h"

namespace channelverify::report {

// Where a bar goes in the drawing: from x, this wide (user units). Never thinner than
// `min_width`, so that a step of a microsecond is still a visible bar, and never past the
// area's right edge.
struct BarBox {
  double x = 0;
  double width = 0;
};
BarBox BarGeometry(int64_t start_us, int64_t end_us, int64_t span_us, double left, double width,
                   double min_width = 2);

// A probe status as the page's CSS classes spell it: "ok", "failed", "timed-out", "skipped"
// (the bars are "probe-" + it, the steps table's rows "status-" + it).
std::string_view StatusWord(v1::ProbeStatus status);

// Server text made safe for the page: redacted and escaped.
using SafeText = std::function<std::string(std::string_view)>;

// An <svg> with one row per probe (the alternatives under a line naming their setting), each
// probe one <rect class="probe-bar probe-STATUS"> with a <title> for its details, tick marks
// and their values in ms (s past ten seconds). Empty when there are no probes.
std::string TimelineSvg(const google::protobuf::RepeatedPtrField<v1::Probe>& probes,
                        int64_t elapsed_us, const Labels& labels, const SafeText& text);

}  // namespace channelverify::report
