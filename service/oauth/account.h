#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/secret.h"
#include "oauth/json.h"
#include "probe/oauth_request.h"
#include "probe/run.h"

// The account checks of the direct integration (the article's "integration-account" case:
// own mailbox and login, admin rights, a licence, not a shared mailbox), run side by side.
// What the APIs report is read by pure functions (tested without a network); the findings
// come from the Observation rows and the API error table of diagnosis/rules.cc.
namespace cv::oauth {

// Global Administrator and Exchange Administrator (role template ids, the same in every tenant).
inline constexpr std::string_view kGlobalAdminRole = "62e90394-69f5-4237-9190-012177145e10";
inline constexpr std::string_view kExchangeAdminRole = "29232cdf-9323-42fd-ade2-1d097af3e4de";

// What the checks learned; unset where a check could not tell.
struct AccountFacts {
  bool checked_any = false;                  // at least one API answered with a success
  bool mailbox_error = false;                // an API said the mailbox is missing or unusable
  std::optional<bool> enabled;               // Graph accountEnabled; Google !suspended
  std::optional<int> licenses;               // Graph assignedLicenses count
  std::optional<std::string> purpose;        // Graph mailboxSettings.userPurpose
  std::optional<bool> admin;                 // a Global / Exchange admin role; Google isAdmin
  std::optional<bool> mailbox_set_up;        // Google isMailboxSetup
  std::optional<bool> archived;              // Google archived
  std::optional<bool> can_send;              // the send check got past authorisation
  std::optional<std::string> token_account;  // Gmail profile emailAddress
};

// Pure readers of the success answers.
void ReadGraphUser(const JsonObject& user, AccountFacts* facts);
void ReadGraphMailboxSettings(const JsonObject& settings, AccountFacts* facts);
// Also returns the display names of the roles found, for the probe's facts.
std::vector<std::string> ReadGraphDirectoryRoles(const JsonObject& roles, AccountFacts* facts);
void ReadGoogleDirectoryUser(const JsonObject& user, AccountFacts* facts);
void ReadGmailProfile(const JsonObject& profile, AccountFacts* facts);

// Graph: user, mailboxSettings, directory roles, and a send check that sends nothing (sendMail
// with a message without recipients, which Graph refuses only after its permission checks).
boost::asio::awaitable<AccountFacts> CheckMicrosoftAccount(const probe::Run& run,
                                                           const probe::OAuthTarget& target,
                                                           const Secret& access_token);
// Gmail profile and the Admin SDK Directory user.
boost::asio::awaitable<AccountFacts> CheckGoogleAccount(const probe::Run& run,
                                                        const probe::OAuthTarget& target,
                                                        const Secret& access_token);

}  // namespace cv::oauth
