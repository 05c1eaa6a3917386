#pragma once

#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

// A small Prometheus registry: counters, gauges and histograms with labels, rendered in the
// text exposition format (version 0.0.4). Thread-safe; each family takes its own lock, so an
// RPC touches one short critical section per metric. Label values come from the service's own
// vocabulary (method names, codes, probe names), never from what a caller sent, which keeps
// the number of series bounded and secrets out.
namespace cv::observability {

using LabelValues = std::vector<std::string>;

class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> label_names)
      : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}
  virtual ~Family() = default;
  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;

  const std::string& name() const { return name_; }
  virtual void Render(std::string* out) const = 0;

 protected:
  // `{a="x",b="y"}` for these values, with `extra` (e.g. le="0.5") appended; "" when empty.
  std::string LabelText(const LabelValues& values, std::string_view extra = "") const;
  void RenderHeader(std::string_view type, std::string* out) const;

  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
  mutable std::mutex mu_;
};

// Counts up. Increment with as many values as the family has label names.
class Counter final : public Family {
 public:
  using Family::Family;
  void Increment(const LabelValues& labels = {}, double by = 1);
  double Value(const LabelValues& labels = {}) const;
  void Render(std::string* out) const override;

 private:
  std::map<LabelValues, double> values_;
};

// Goes up and down.
class Gauge final : public Family {
 public:
  using Family::Family;
  void Set(const LabelValues& labels, double value);
  void Add(const LabelValues& labels, double delta);
  double Value(const LabelValues& labels = {}) const;
  void Render(std::string* out) const override;

 private:
  std::map<LabelValues, double> values_;
};

// Observations in cumulative buckets (upper bounds, ascending; +Inf is implied), with their
// sum and count.
class Histogram final : public Family {
 public:
  Histogram(std::string name, std::string help, std::vector<std::string> label_names,
            std::vector<double> bounds)
      : Family(std::move(name), std::move(help), std::move(label_names)),
        bounds_(std::move(bounds)) {}
  void Observe(const LabelValues& labels, double value);
  // Number of observations in the series (for tests).
  uint64_t Count(const LabelValues& labels) const;
  void Render(std::string* out) const override;

 private:
  struct Series {
    std::vector<uint64_t> buckets;  // per bound, not cumulative; the last is +Inf
    double sum = 0;
    uint64_t count = 0;
  };
  std::vector<double> bounds_;
  std::map<LabelValues, Series> series_;
};

class Registry {
 public:
  Counter& AddCounter(std::string name, std::string help, std::vector<std::string> labels = {});
  Gauge& AddGauge(std::string name, std::string help, std::vector<std::string> labels = {});
  Histogram& AddHistogram(std::string name, std::string help, std::vector<std::string> labels,
                          std::vector<double> bounds);

  // Every family in the order they were added, as a scrape answer.
  std::string Render() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Family>> families_;
};

// A number as the exposition format writes it: integers without a fraction, +Inf, NaN.
std::string FormatValue(double value);
// A label value with \, " and newline escaped.
std::string EscapeLabelValue(std::string_view value);

}  // namespace cv::observability
