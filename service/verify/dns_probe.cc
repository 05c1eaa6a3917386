#include "verify/dns_probe.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "diagnosis/classifier.h"
#include "diagnosis/probe_names.h"
#include "net/address_select.h"

namespace cv::verify {
namespace asio = boost::asio;
namespace v1 = channelverify::v1;
using diagnosis::Observation;

namespace {

v1::ProbeStatus StatusOf(net::DnsOutcome outcome) {
  switch (outcome) {
    case net::DnsOutcome::kOk:
      return v1::PROBE_STATUS_OK;
    case net::DnsOutcome::kTimedOut:
      return v1::PROBE_STATUS_TIMED_OUT;
    default:
      return v1::PROBE_STATUS_FAILED;
  }
}

// Addresses listed in a probe's facts at most: a hostile name may have thousands.
constexpr size_t kMaxFactAddresses = 16;

void AddDnsFinding(const probe::Run& run, net::DnsOutcome outcome, net::Clock::time_point deadline,
                   std::string evidence, const std::string& probe) {
  Observation observation = Observation::kDnsLookupFailed;
  if (outcome == net::DnsOutcome::kNameNotFound) observation = Observation::kDnsNameNotFound;
  if (outcome == net::DnsOutcome::kTimedOut && run.budget.CutByCaller(deadline)) {
    observation = Observation::kDeadlineTooShort;
  }
  auto finding = diagnosis::ClassifyObservation(observation, {std::move(evidence)});
  finding.probe = probe;
  run.recorder->Add(std::move(finding));
}

}  // namespace

asio::awaitable<net::HostLookup> LookupHostProbe(const probe::Run& run, std::string host) {
  auto* probe = run.recorder->Begin(probes::kDnsHost, host);
  const auto deadline = run.budget.Step(run.config->timeouts.dns);
  net::HostLookup lookup = co_await run.config->dns->ResolveHost(host, deadline);
  auto& facts = *probe->mutable_facts();
  std::vector<std::string> addrs;
  for (const auto& a : lookup.addresses) {
    if (addrs.size() == kMaxFactAddresses) break;
    addrs.push_back(a.to_string());
  }
  if (!addrs.empty()) facts[facts::kAddresses] = absl::StrJoin(addrs, " ");
  if (lookup.addresses.size() > addrs.size()) {
    absl::StrAppend(&facts[facts::kAddresses], " … (", lookup.addresses.size(), " in all)");
  }
  if (!lookup.cname_chain.empty())
    facts[facts::kCnameChain] = absl::StrJoin(lookup.cname_chain, " -> ");
  run.recorder->End(probe, StatusOf(lookup.outcome), lookup.error);
  if (lookup.outcome != net::DnsOutcome::kOk) {
    AddDnsFinding(run, lookup.outcome, deadline,
                  absl::StrCat(host, ": ", lookup.error.empty() ? "no address" : lookup.error),
                  probes::kDnsHost);
  }
  co_return lookup;
}

asio::awaitable<net::MxLookup> LookupMxProbe(const probe::Run& run, std::string domain) {
  if (domain.empty()) co_return net::MxLookup{};
  auto* probe = run.recorder->Begin(probes::kDnsMx, domain);
  const auto deadline = run.budget.Step(run.config->timeouts.dns);
  net::MxLookup lookup = co_await run.config->dns->ResolveMx(domain, deadline);
  std::vector<std::string> records;
  for (const auto& mx : lookup.records)
    records.push_back(absl::StrCat(mx.preference, " ", mx.host));
  if (!records.empty()) (*probe->mutable_facts())[facts::kMx] = absl::StrJoin(records, ", ");
  // A sender domain without MX is worth seeing, but it does not break the channel.
  run.recorder->End(probe, StatusOf(lookup.outcome), lookup.error);
  co_return lookup;
}

std::vector<asio::ip::address> VetAddresses(const probe::Run& run, const std::string& host,
                                            const std::vector<asio::ip::address>& all,
                                            uint16_t port, net::Purpose purpose) {
  auto* probe = run.recorder->Begin(probes::kEgress, absl::StrCat(host, ":", port));
  std::vector<asio::ip::address> allowed;
  std::vector<std::string> refused;
  auto& facts = *probe->mutable_facts();
  // Every address is vetted (one refused address refuses the name), but only the refused ones
  // and those that will be dialed become facts: a name may have thousands.
  for (const auto& address : all) {
    const auto decision = run.config->egress.Check(address, port, purpose);
    if (decision.allowed) {
      allowed.push_back(net::Normalize(address));
    } else {
      if (refused.size() < kMaxFactAddresses) {
        facts[address.to_string()] = absl::StrCat("refused: ", decision.reason);
      }
      refused.push_back(decision.reason);
    }
  }
  if (refused.empty()) {
    const size_t found = allowed.size();
    allowed = net::SelectAddresses(allowed, run.config->max_addresses_per_name);
    for (const auto& address : allowed) facts[address.to_string()] = "allowed";
    if (found > allowed.size()) {
      facts[facts::kNotTried] =
          absl::StrCat(found - allowed.size(), " of ", found, " addresses not tried (at most ",
                       allowed.size(), " per name, --max_addresses_per_name)");
    }
  } else if (refused.size() > kMaxFactAddresses) {
    facts[facts::kRefusedNotListed] = absl::StrCat(refused.size() - kMaxFactAddresses, " more");
    refused.resize(kMaxFactAddresses);
  }
  // A name with one forbidden record among public ones is refused whole: mixed answers are how
  // DNS-based SSRF is attempted, and a real mail server has no reason to give one.
  if (!refused.empty()) allowed.clear();
  if (allowed.empty()) {
    run.recorder->End(probe, v1::PROBE_STATUS_FAILED,
                      "the egress policy refused the target: no address was dialed");
    auto finding = diagnosis::ClassifyObservation(Observation::kTargetForbidden, refused);
    finding.probe = probes::kEgress;
    run.recorder->Add(std::move(finding));
  } else {
    run.recorder->End(probe, v1::PROBE_STATUS_OK);
  }
  return allowed;
}

void ReportResolved(const probe::SmtpTarget& target, const net::HostLookup& lookup) {
  if (!target.resolved || lookup.outcome != net::DnsOutcome::kOk) return;
  for (const auto& address : lookup.addresses) target.resolved->push_back(address.to_string());
}

}  // namespace cv::verify
