#pragma once

#include <string_view>
#include <vector>

#include "channelverify/v1/channel_verifier.pb.h"
#include "net/dns.h"

// Recognises Google and Microsoft from what a verification sees: host names (and their CNAME
// chain), the SMTP greeting, and the MX records of the sender's domain. Pure code.
namespace cv::verify {

using channelverify::v1::Provider;

// smtp.gmail.com, smtp-relay.gmail.com, smtp.googlemail.com -> Google; smtp.office365.com,
// smtp-mail.outlook.com, *.outlook.office365.com, *.protection.outlook.com -> Microsoft;
// otherwise unspecified.
Provider ProviderFromHost(std::string_view host);
// True for Google's submission hosts, where password AUTH is being ended.
bool IsGoogleSmtpHost(std::string_view host);
// Microsoft's inbound MX hosts (*.mail.protection.outlook.com): not a submission endpoint.
bool IsMicrosoftInboundHost(std::string_view host);
// "220 smtp.gmail.com ESMTP ... - gsmtp" -> Google; "... Microsoft ESMTP MAIL Service ..." ->
// Microsoft.
Provider ProviderFromGreeting(std::string_view greeting_text);
// "GMX", "WEB.DE", "T-Online", "Yahoo", "iCloud", "Outlook.com", "Google" for a submission or
// MX host of a provider whose accounts need external programs allowed or an app password;
// empty otherwise.
std::string_view AppPasswordProvider(std::string_view host_or_mx);
// The provider hosting a domain's mail, from its MX records; PROVIDER_OTHER when there are
// records of someone else, unspecified when there are none.
Provider ProviderFromMx(const std::vector<net::MxRecord>& records);

}  // namespace cv::verify
