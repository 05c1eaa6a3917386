#include "channelverify/timeline.h"

#include <algorithm>
#include <cstdio>
#include <numeric>

namespace channelverify::timeline {
namespace {

int64_t End(const v1::Probe& p) { return Micros(p.started_after()) + Micros(p.duration()); }

bool Failed(const v1::Probe& p) {
  return p.status() == v1::PROBE_STATUS_FAILED || p.status() == v1::PROBE_STATUS_TIMED_OUT;
}

}  // namespace

int64_t Micros(const google::protobuf::Duration& d) {
  return d.seconds() * 1000000 + d.nanos() / 1000;
}

uint32_t PortOf(std::string_view target) {
  // The host part ends at the first space; an IPv6 literal is bracketed, so the port is what
  // follows the last colon after any closing bracket.
  target = target.substr(0, target.find(' '));
  const size_t bracket = target.rfind(']');
  const size_t colon = target.rfind(':');
  if (colon == std::string_view::npos || (bracket != std::string_view::npos && colon < bracket)) {
    return 0;
  }
  const std::string_view digits = target.substr(colon + 1);
  if (digits.empty() || digits.size() > 5) return 0;
  uint32_t port = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return 0;
    port = port * 10 + static_cast<uint32_t>(c - '0');
  }
  return port <= 65535 ? port : 0;
}

std::string TickText(int64_t us, int64_t unit_us) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(us) / static_cast<double>(unit_us));
  std::string s = buf;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

std::string_view UnitName(int64_t unit_us) { return unit_us == 1000 ? "ms" : "s"; }

v1::TlsMode TlsModeOf(std::string_view fact) {
  if (fact == "starttls") return v1::TLS_MODE_STARTTLS;
  if (fact == "implicit") return v1::TLS_MODE_IMPLICIT;
  if (fact == "none") return v1::TLS_MODE_NONE;
  return v1::TLS_MODE_UNSPECIFIED;
}

std::vector<int64_t> Ticks(int64_t span_us, int max_ticks) {
  max_ticks = std::max(max_ticks, 2);
  span_us = std::max<int64_t>(span_us, 1);
  // The smallest round step that needs no more than max_ticks marks, 0 included.
  int64_t step = 1;
  for (int64_t power = 1;; power *= 10) {
    bool found = false;
    for (int64_t m : {1, 2, 5}) {
      if (span_us / (m * power) + 1 <= max_ticks) {
        step = m * power;
        found = true;
        break;
      }
    }
    if (found) break;
  }
  std::vector<int64_t> ticks;
  for (int64_t t = 0; t <= span_us; t += step) ticks.push_back(t);
  return ticks;
}

Layout Lay(const google::protobuf::RepeatedPtrField<v1::Probe>& probes, int64_t elapsed_us,
           int max_ticks) {
  Layout layout;
  std::vector<int> order(static_cast<size_t>(probes.size()));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return Micros(probes[a].started_after()) < Micros(probes[b].started_after());
  });

  Group configured;
  std::vector<Group> alternatives;
  for (int i : order) {
    const v1::Probe& p = probes[i];
    layout.span_us = std::max(layout.span_us, End(p));
    Group* group = &configured;
    if (p.name().starts_with("alt.")) {
      const uint32_t port = PortOf(p.target());
      const auto fact = p.facts().find("tls_mode");
      const v1::TlsMode mode =
          fact == p.facts().end() ? v1::TLS_MODE_UNSPECIFIED : TlsModeOf(fact->second);
      auto it = std::find_if(alternatives.begin(), alternatives.end(),
                             [&](const Group& g) { return g.port == port && g.tls_mode == mode; });
      if (it == alternatives.end()) {
        Group g;
        g.alternative = true;
        g.port = port;
        g.tls_mode = mode;
        it = alternatives.insert(alternatives.end(), std::move(g));
      }
      group = &*it;
    }
    group->probes.push_back(i);
    if (group->first_failure < 0 && Failed(p)) group->first_failure = i;
  }
  if (!configured.probes.empty()) layout.groups.push_back(std::move(configured));
  for (auto& g : alternatives) layout.groups.push_back(std::move(g));

  layout.span_us = std::max(layout.span_us, elapsed_us);
  layout.ticks_us = Ticks(layout.span_us, max_ticks);
  layout.unit_us = layout.span_us >= 10000000 ? 1000000 : 1000;
  return layout;
}

}  // namespace channelverify::timeline
