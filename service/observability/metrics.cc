#include "observability/metrics.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace cv::observability {

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Counters are whole numbers almost always: print them exactly, not in %g's 6 digits.
  if (value == std::floor(value) && std::fabs(value) < 9007199254740992.0) {
    return absl::StrCat(static_cast<long long>(value));
  }
  // The shortest form that reads back as the same double (0.1, not 0.10000000000000001).
  char buf[32];
  for (int precision = 15; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, value);
    if (std::strtod(buf, nullptr) == value) break;
  }
  return buf;
}

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Family::LabelText(const LabelValues& values, std::string_view extra) const {
  if (values.empty() && extra.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < values.size() && i < label_names_.size(); ++i) {
    if (i > 0) out += ',';
    absl::StrAppend(&out, label_names_[i], "=\"", EscapeLabelValue(values[i]), "\"");
  }
  if (!extra.empty()) {
    if (out.size() > 1) out += ',';
    out.append(extra.data(), extra.size());
  }
  out += '}';
  return out;
}

void Family::RenderHeader(std::string_view type, std::string* out) const {
  absl::StrAppend(out, "# HELP ", name_, " ", help_, "\n# TYPE ", name_, " ", std::string(type),
                  "\n");
}

namespace {
// A call with the wrong number of label values is a programming error; padding or cutting
// keeps the output valid instead of crashing a server over a metric.
LabelValues Fit(const LabelValues& values, size_t n) {
  if (values.size() == n) return values;
  LabelValues fitted = values;
  fitted.resize(n);
  return fitted;
}
}  // namespace

void Counter::Increment(const LabelValues& labels, double by) {
  if (!(by >= 0)) return;  // counters never go down (and NaN is refused)
  std::lock_guard lock(mu_);
  values_[Fit(labels, label_names_.size())] += by;
}

double Counter::Value(const LabelValues& labels) const {
  std::lock_guard lock(mu_);
  auto it = values_.find(Fit(labels, label_names_.size()));
  return it == values_.end() ? 0 : it->second;
}

void Counter::Render(std::string* out) const {
  RenderHeader("counter", out);
  std::lock_guard lock(mu_);
  // A family without labels is always shown, at 0 before the first increment, so that
  // dashboards and rate() see it from the start.
  if (label_names_.empty() && values_.empty()) absl::StrAppend(out, name_, " 0\n");
  for (const auto& [labels, value] : values_) {
    absl::StrAppend(out, name_, LabelText(labels), " ", FormatValue(value), "\n");
  }
}

void Gauge::Set(const LabelValues& labels, double value) {
  std::lock_guard lock(mu_);
  values_[Fit(labels, label_names_.size())] = value;
}

void Gauge::Add(const LabelValues& labels, double delta) {
  std::lock_guard lock(mu_);
  values_[Fit(labels, label_names_.size())] += delta;
}

double Gauge::Value(const LabelValues& labels) const {
  std::lock_guard lock(mu_);
  auto it = values_.find(Fit(labels, label_names_.size()));
  return it == values_.end() ? 0 : it->second;
}

void Gauge::Render(std::string* out) const {
  RenderHeader("gauge", out);
  std::lock_guard lock(mu_);
  if (label_names_.empty() && values_.empty()) absl::StrAppend(out, name_, " 0\n");
  for (const auto& [labels, value] : values_) {
    absl::StrAppend(out, name_, LabelText(labels), " ", FormatValue(value), "\n");
  }
}

void Histogram::Observe(const LabelValues& labels, double value) {
  if (std::isnan(value)) return;
  std::lock_guard lock(mu_);
  Series& s = series_[Fit(labels, label_names_.size())];
  if (s.buckets.empty()) s.buckets.assign(bounds_.size() + 1, 0);
  size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;
  ++s.buckets[i];
  s.sum += value;
  ++s.count;
}

uint64_t Histogram::Count(const LabelValues& labels) const {
  std::lock_guard lock(mu_);
  auto it = series_.find(Fit(labels, label_names_.size()));
  return it == series_.end() ? 0 : it->second.count;
}

void Histogram::Render(std::string* out) const {
  RenderHeader("histogram", out);
  std::lock_guard lock(mu_);
  for (const auto& [labels, s] : series_) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= bounds_.size(); ++i) {
      cumulative += s.buckets[i];
      const std::string le =
          absl::StrCat("le=\"", i < bounds_.size() ? FormatValue(bounds_[i]) : "+Inf", "\"");
      absl::StrAppend(out, name_, "_bucket", LabelText(labels, le), " ", cumulative, "\n");
    }
    absl::StrAppend(out, name_, "_sum", LabelText(labels), " ", FormatValue(s.sum), "\n");
    absl::StrAppend(out, name_, "_count", LabelText(labels), " ", s.count, "\n");
  }
}

Counter& Registry::AddCounter(std::string name, std::string help, std::vector<std::string> labels) {
  auto family = std::make_unique<Counter>(std::move(name), std::move(help), std::move(labels));
  Counter& ref = *family;
  std::lock_guard lock(mu_);
  families_.push_back(std::move(family));
  return ref;
}

Gauge& Registry::AddGauge(std::string name, std::string help, std::vector<std::string> labels) {
  auto family = std::make_unique<Gauge>(std::move(name), std::move(help), std::move(labels));
  Gauge& ref = *family;
  std::lock_guard lock(mu_);
  families_.push_back(std::move(family));
  return ref;
}

Histogram& Registry::AddHistogram(std::string name, std::string help,
                                  std::vector<std::string> labels, std::vector<double> bounds) {
  auto family = std::make_unique<Histogram>(std::move(name), std::move(help), std::move(labels),
                                            std::move(bounds));
  Histogram& ref = *family;
  std::lock_guard lock(mu_);
  families_.push_back(std::move(family));
  return ref;
}

std::string Registry::Render() const {
  std::string out;
  std::lock_guard lock(mu_);
  for (const auto& family : families_) family->Render(&out);
  return out;
}

}  // namespace cv::observability
