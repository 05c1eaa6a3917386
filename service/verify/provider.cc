#include "verify/provider.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "common/strings.h"

namespace cv::verify {
namespace {

std::string Canonical(std::string_view host) {
  std::string h = absl::AsciiStrToLower(Av(host));
  while (!h.empty() && h.back() == '.') h.pop_back();
  return h;
}

bool HasDomainSuffix(std::string_view host, std::string_view domain) {
  return host == domain ||
         (host.size() > domain.size() && host.substr(host.size() - domain.size()) == domain &&
          host[host.size() - domain.size() - 1] == '.');
}

}  // namespace

bool IsGoogleSmtpHost(std::string_view host) {
  const std::string h = Canonical(host);
  return h == "smtp.gmail.com" || h == "smtp-relay.gmail.com" || h == "smtp.googlemail.com";
}

bool IsMicrosoftInboundHost(std::string_view host) {
  return HasDomainSuffix(Canonical(host), "mail.protection.outlook.com");
}

Provider ProviderFromHost(std::string_view host) {
  const std::string h = Canonical(host);
  if (IsGoogleSmtpHost(h) || HasDomainSuffix(h, "google.com") ||
      HasDomainSuffix(h, "googlemail.com") || HasDomainSuffix(h, "gmail.com")) {
    return channelverify::v1::PROVIDER_GOOGLE;
  }
  if (h == "smtp.office365.com" || h == "smtp-mail.outlook.com" ||
      HasDomainSuffix(h, "office365.com") || HasDomainSuffix(h, "outlook.com")) {
    return channelverify::v1::PROVIDER_MICROSOFT;
  }
  return channelverify::v1::PROVIDER_UNSPECIFIED;
}

Provider ProviderFromGreeting(std::string_view greeting_text) {
  const std::string text = absl::AsciiStrToLower(Av(greeting_text));
  if (absl::StrContains(text, "- gsmtp") || absl::StrContains(text, "smtp.gmail.com")) {
    return channelverify::v1::PROVIDER_GOOGLE;
  }
  if (absl::StrContains(text, "microsoft esmtp mail service") ||
      absl::StrContains(text, ".outlook.office365.com") ||
      absl::StrContains(text, ".outlook.com")) {
    return channelverify::v1::PROVIDER_MICROSOFT;
  }
  return channelverify::v1::PROVIDER_UNSPECIFIED;
}

std::string_view AppPasswordProvider(std::string_view host_or_mx) {
  // Submission hosts and MX hosts of the providers whose accounts must allow "external
  // programs" or use an app password before SMTP sign-in works.
  struct Row {
    std::string_view domain;
    std::string_view name;
  };
  static constexpr Row kRows[] = {
      {"gmx.net", "GMX"},
      {"gmx.de", "GMX"},
      {"gmx.com", "GMX"},
      {"web.de", "WEB.DE"},
      {"t-online.de", "T-Online"},
      {"yahoo.com", "Yahoo"},
      {"yahoodns.net", "Yahoo"},
      {"mail.me.com", "iCloud"},
      {"icloud.com", "iCloud"},
      // Outlook.com's consumer accounts; Microsoft 365 submits through smtp.office365.com and
      // receives at *.mail.protection.outlook.com.
      {"smtp-mail.outlook.com", "Outlook.com"},
      {"olc.protection.outlook.com", "Outlook.com"},
      {"google.com", "Google"},
      {"googlemail.com", "Google"},
      {"gmail.com", "Google"},
  };
  const std::string h = Canonical(host_or_mx);
  for (const Row& row : kRows) {
    if (HasDomainSuffix(h, row.domain)) return row.name;
  }
  return {};
}

Provider ProviderFromMx(const std::vector<net::MxRecord>& records) {
  if (records.empty()) return channelverify::v1::PROVIDER_UNSPECIFIED;
  const std::string first = Canonical(records.front().host);
  if (HasDomainSuffix(first, "google.com") || HasDomainSuffix(first, "googlemail.com")) {
    return channelverify::v1::PROVIDER_GOOGLE;
  }
  if (HasDomainSuffix(first, "outlook.com")) return channelverify::v1::PROVIDER_MICROSOFT;
  return channelverify::v1::PROVIDER_OTHER;
}

}  // namespace cv::verify
