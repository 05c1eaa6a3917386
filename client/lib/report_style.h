// The report's stylesheet, inline in every page: light on screen and on paper (A4).
// Internal to the client library.
#pragma once

#include <string_view>

namespace channelverify::report {

inline constexpr std::string_view kStyle = R"css(
:root { color-scheme: light; }
body { font: 14px/1.45 "DejaVu Sans", "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  color: #1b1b1b; background: #fff; margin: 0 auto; max-width: 54rem; padding: 1.5rem; }
h1 { font-size: 1.5rem; margin: 0 0 .6rem; }
h2 { font-size: 1.15rem; margin: 1.8rem 0 .6rem; padding-bottom: .2rem;
  border-bottom: 1px solid #d0d7de; }
h3 { font-size: 1rem; margin: 1rem 0 .4rem; }
h4 { font-size: .9rem; margin: .7rem 0 .2rem; color: #444; }
code, pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .85em; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f6f8fa;
  border: 1px solid #e1e4e8; border-radius: 4px; padding: .45rem .6rem; margin: .3rem 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .25rem .5rem;
  border-bottom: 1px solid #eaeef2; overflow-wrap: anywhere; }
table.facts th { width: 15rem; font-weight: 600; color: #333; }
table.steps { font-size: .85em; }
.note { color: #555; font-size: .9em; }
.verdict { font-size: 1.1rem; font-weight: 600; padding: .6rem .9rem; border-radius: 6px;
  border-left: 8px solid #888; background: #f3f3f3; }
.verdict-pass { border-color: #2e7d32; background: #e8f5e9; }
.verdict-warn { border-color: #ef6c00; background: #fff3e0; }
.verdict-fail { border-color: #c62828; background: #ffebee; }
.diagnosis { border: 1px solid #d0d7de; border-left: 8px solid #1565c0; border-radius: 6px;
  padding: .5rem .9rem; margin: .9rem 0; }
.diagnosis.sev-error { border-left-color: #c62828; }
.diagnosis.sev-warning { border-left-color: #ef6c00; }
.diagnosis-title { margin-top: .2rem; }
.tags { color: #555; font-size: .9em; margin: .2rem 0; }
.severity { font-weight: 600; text-transform: uppercase; font-size: .85em; }
.remediation, .escalation { white-space: pre-line; margin: .2rem 0; }
tr.suggested td { background: #e8f5e9; }
tr.status-failed td:nth-child(2) { color: #c62828; }
tr.status-timed-out td:nth-child(2) { color: #b45309; }
svg.timeline { width: 100%; height: auto; display: block; margin: .4rem 0; }
svg.timeline text { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; font-size: 11px;
  fill: #222; }
svg.timeline .tick { stroke: #e1e4e8; stroke-width: 1; }
svg.timeline .tick-label { fill: #666; }
svg.timeline .group-label { font-style: italic; fill: #555; }
svg.timeline .probe-time { fill: #555; }
.probe-ok { fill: #2e7d32; }
.probe-failed { fill: #c62828; }
.probe-timed-out { fill: #ef6c00; }
.probe-skipped { fill: #9e9e9e; }
@page { size: A4; margin: 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  h2, h3, h4 { break-after: avoid; }
  .diagnosis, tr, svg.timeline { break-inside: avoid; }
  pre { break-inside: auto; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
)css";

}  // namespace channelverify::report
