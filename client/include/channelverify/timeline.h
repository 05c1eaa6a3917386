// Where the probes of one verification sit on a shared time axis: the layout behind
// channelctl's --timeline and the report's SVG (channelverify/report.h). Pure: it takes the
// probes of a response and returns groups, spans and tick marks in microseconds; drawing them
// (characters, SVG) is the caller's.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "channelverify/v1/channel_verifier.pb.h"

namespace channelverify::timeline {

// The probes of one connection setting: the channel as configured (with the DNS, egress and
// OAuth steps around it), or one of the alternatives the service tried beside it when the
// configured port or TLS mode failed (probes "alt.*"). Each probe is one row.
struct Group {
  bool alternative = false;
  // The port and TLS mode an alternative tried (from its probes' target and "tls_mode" fact);
  // 0 and TLS_MODE_UNSPECIFIED when the probes do not say (the configured group never does:
  // its setting is the request's).
  uint32_t port = 0;
  v1::TlsMode tls_mode = v1::TLS_MODE_UNSPECIFIED;
  // Indexes into the probes, by start time.
  std::vector<int> probes;
  // The first of them that failed or timed out, -1 when none did: what this setting gave.
  int first_failure = -1;
};

struct Layout {
  // The configured group first (when it has probes), then the alternatives by first start.
  std::vector<Group> groups;
  // The axis runs from 0 to span_us: the end of the last probe, or the verification's elapsed
  // time when that is later. Never 0, so that scaling by it is safe.
  int64_t span_us = 1;
  // Round values (1, 2 or 5 times a power of ten) from 0 up to span_us.
  std::vector<int64_t> ticks_us;
  // The unit the axis is labelled in: milliseconds, or seconds from a 10 s span on.
  int64_t unit_us = 1000;
};

// `elapsed_us`: the whole call's time when known (VerifyChannelResponse.elapsed), else 0.
// `max_ticks`: how many tick marks fit (at least 2: 0 and one more).
Layout Lay(const google::protobuf::RepeatedPtrField<v1::Probe>& probes, int64_t elapsed_us = 0,
           int max_ticks = 6);

int64_t Micros(const google::protobuf::Duration& d);
// The port of a probe target ("smtp.example.com:587 203.0.113.7", "[2001:db8::1]:465",
// "smtp.example.com:587"); 0 when it names none.
uint32_t PortOf(std::string_view target);
// The tick marks of an axis from 0 to span_us, at most max_ticks of them.
std::vector<int64_t> Ticks(int64_t span_us, int max_ticks);
// A tick's value in the layout's unit, without trailing zeros: 1500 us in ms is "1.5".
std::string TickText(int64_t us, int64_t unit_us);
// The name of that unit: "ms" or "s".
std::string_view UnitName(int64_t unit_us);
// A "tls_mode" fact ("starttls", "implicit", "none") as the enum; UNSPECIFIED if unknown.
v1::TlsMode TlsModeOf(std::string_view fact);

}  // namespace channelverify::timeline
