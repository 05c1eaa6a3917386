#include "oauth/account.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/display.h"
#include "common/strings.h"
#include "diagnosis/classifier.h"
#include "diagnosis/probe_names.h"
#include "net/when_all.h"
#include "oauth/api_call.h"

namespace cv::oauth {
namespace asio = boost::asio;
namespace v1 = channelverify::v1;
using diagnosis::OAuthApi;
using diagnosis::Observation;

namespace {

void Observe(const probe::Run& run, Observation observation, std::string evidence,
             std::string probe) {
  auto f = diagnosis::ClassifyObservation(observation, {std::move(evidence)});
  f.probe = std::move(probe);
  run.recorder->Add(std::move(f));
}

net::HttpRequest Get(const net::Url& base, std::string target, const Secret& token) {
  net::HttpRequest r;
  r.url = base;
  r.target = std::move(target);
  r.bearer = token;
  return r;
}

// Codes that say the mailbox itself is missing or unusable (not a permission of the token).
bool IsMailboxFinding(v1::DiagnosisCode code) {
  return code == v1::DIAGNOSIS_CODE_INTEGRATION_NOT_LICENSED ||
         code == v1::DIAGNOSIS_CODE_MAILBOX_NOT_FOUND ||
         code == v1::DIAGNOSIS_CODE_INTEGRATION_SHARED_MAILBOX;
}

void NoteMailboxError(const probe::Run& run, const ApiCall& call, AccountFacts* facts) {
  if (!call.answered || call.ok()) return;
  for (const auto& f : run.recorder->findings()) {
    if (f.probe == call.probe->name() && IsMailboxFinding(f.code)) facts->mailbox_error = true;
  }
}

std::string Lower(std::string s) { return absl::AsciiStrToLower(s); }

}  // namespace

void ReadGraphUser(const JsonObject& user, AccountFacts* facts) {
  if (auto enabled = GetBool(user, "accountEnabled")) facts->enabled = *enabled;
  if (const auto* licenses = GetList(user, "assignedLicenses")) {
    facts->licenses = licenses->values_size();
  }
}

void ReadGraphMailboxSettings(const JsonObject& settings, AccountFacts* facts) {
  if (auto purpose = GetString(settings, "userPurpose")) {
    facts->purpose = SanitizeForDisplay(Lower(*purpose).substr(0, 64));
  }
}

std::vector<std::string> ReadGraphDirectoryRoles(const JsonObject& roles, AccountFacts* facts) {
  std::vector<std::string> names;
  bool admin = false;
  if (const auto* value = GetList(roles, "value")) {
    for (const JsonValue& item : value->values()) {
      if (item.kind_case() != JsonValue::kStructValue) continue;
      const JsonObject& role = item.struct_value();
      auto name = GetString(role, "displayName");
      names.push_back(SanitizeForDisplay(name ? name->substr(0, 80) : "(unnamed role)"));
      auto id = GetString(role, "roleTemplateId");
      if (id && (Lower(*id) == kGlobalAdminRole || Lower(*id) == kExchangeAdminRole)) {
        admin = true;
      }
    }
    facts->admin = admin;
  }
  return names;
}

void ReadGoogleDirectoryUser(const JsonObject& user, AccountFacts* facts) {
  auto is_admin = GetBool(user, "isAdmin");
  auto delegated = GetBool(user, "isDelegatedAdmin");
  if (is_admin || delegated) facts->admin = is_admin.value_or(false) || delegated.value_or(false);
  if (auto setup = GetBool(user, "isMailboxSetup")) facts->mailbox_set_up = *setup;
  if (auto suspended = GetBool(user, "suspended")) facts->enabled = !*suspended;
  if (auto archived = GetBool(user, "archived")) facts->archived = *archived;
}

void ReadGmailProfile(const JsonObject& profile, AccountFacts* facts) {
  if (auto email = GetString(profile, "emailAddress")) {
    facts->token_account = SanitizeForDisplay(email->substr(0, 320));
  }
}

asio::awaitable<AccountFacts> CheckMicrosoftAccount(const probe::Run& run,
                                                    const probe::OAuthTarget& target,
                                                    const Secret& access_token) {
  const net::Url& graph = run.config->oauth.microsoft_graph;
  const std::string user = net::EncodePathSegment(target.account);
  const diagnosis::OAuthApi api = OAuthApi::kGraph;

  net::HttpRequest send_check;
  send_check.method = "POST";
  send_check.url = graph;
  send_check.target = absl::StrCat("/v1.0/users/", user, "/sendMail");
  send_check.bearer = access_token;
  send_check.content_type = "application/json";
  // No recipients: Graph checks the caller's right to send as this mailbox, then refuses the
  // message as undeliverable. Nothing is sent or saved.
  send_check.body = Secret(
      "{\"message\":{\"subject\":\"channel-verifier send check\",\"body\":{\"contentType\":"
      "\"Text\",\"content\":\"\"},\"toRecipients\":[]},\"saveToSentItems\":false}");

  std::vector<asio::awaitable<ApiCall>> tasks;
  tasks.push_back(CallApi(
      run, probes::kGraphUser,
      Get(graph,
          absl::StrCat("/v1.0/users/", user,
                       "?$select=accountEnabled,assignedLicenses,userType,mail,userPrincipalName"),
          access_token),
      {api}));
  tasks.push_back(CallApi(
      run, probes::kGraphMailboxSettings,
      Get(graph, absl::StrCat("/v1.0/users/", user, "/mailboxSettings"), access_token), {api}));
  tasks.push_back(
      CallApi(run, probes::kGraphRoles,
              Get(graph, "/v1.0/me/memberOf/microsoft.graph.directoryRole", access_token), {api}));
  tasks.push_back(CallApi(run, probes::kGraphSendCheck, send_check, {api}));
  auto results = co_await net::WhenAll(std::move(tasks));

  AccountFacts facts;
  const std::string who = target.account;
  if (results[0]) {
    ApiCall& call = *results[0];
    NoteMailboxError(run, call, &facts);
    if (call.ok()) {
      facts.checked_any = true;
      ReadGraphUser(*call.json, &facts);
      auto& pf = *call.probe->mutable_facts();
      if (facts.enabled) pf[facts::kAccountEnabled] = *facts.enabled ? "true" : "false";
      if (facts.licenses) pf[facts::kLicenses] = std::to_string(*facts.licenses);
      if (facts.enabled == false) {
        Observe(run, Observation::kAccountNotEnabled,
                absl::StrCat("Microsoft Graph: user ", who, " has accountEnabled = false"),
                probes::kGraphUser);
      }
      if (facts.licenses == 0) {
        Observe(run, Observation::kNoLicense,
                absl::StrCat("Microsoft Graph: user ", who, " has no assigned licences"),
                probes::kGraphUser);
      }
    }
  }
  if (results[1]) {
    ApiCall& call = *results[1];
    NoteMailboxError(run, call, &facts);
    if (call.ok()) {
      facts.checked_any = true;
      ReadGraphMailboxSettings(*call.json, &facts);
      if (facts.purpose) (*call.probe->mutable_facts())[facts::kUserPurpose] = *facts.purpose;
      if (facts.purpose == "shared") {
        Observe(run, Observation::kMailboxPurposeShared,
                absl::StrCat("Microsoft Graph: mailboxSettings of ", who,
                             " report userPurpose = \"shared\""),
                probes::kGraphMailboxSettings);
      }
    }
  }
  if (results[2]) {
    ApiCall& call = *results[2];
    if (call.ok()) {
      facts.checked_any = true;
      auto names = ReadGraphDirectoryRoles(*call.json, &facts);
      (*call.probe->mutable_facts())[facts::kRoles] =
          names.empty() ? "(none)" : absl::StrJoin(names, ", ");
      if (facts.admin == false) {
        Observe(run, Observation::kNotAdmin,
                absl::StrCat("Microsoft Graph: the signed-in account holds ",
                             names.empty() ? "no directory role"
                                           : absl::StrCat("only ", absl::StrJoin(names, ", ")),
                             ", neither Global Administrator nor Exchange Administrator"),
                probes::kGraphRoles);
      }
    }
  }
  if (results[3]) {
    ApiCall& call = *results[3];
    NoteMailboxError(run, call, &facts);
    // A 400 that no rule knows is the expected refusal of a message without recipients: the
    // permission checks passed. A 2xx means Graph took it (with nobody to deliver to).
    if (call.answered &&
        ((call.status >= 200 && call.status < 300) || (call.status == 400 && !call.classified))) {
      facts.can_send = true;
      call.probe->set_status(v1::PROBE_STATUS_OK);
      call.probe->clear_detail();
      (*call.probe->mutable_facts())[facts::kSendPermitted] = "true";
    } else if (call.classified) {
      facts.can_send = false;
    }
  }
  co_return facts;
}

asio::awaitable<AccountFacts> CheckGoogleAccount(const probe::Run& run,
                                                 const probe::OAuthTarget& target,
                                                 const Secret& access_token) {
  const auto& endpoints = run.config->oauth;
  std::vector<asio::awaitable<ApiCall>> tasks;
  tasks.push_back(CallApi(run, probes::kGmailProfile,
                          Get(endpoints.gmail_api, "/gmail/v1/users/me/profile", access_token),
                          {OAuthApi::kGmail}));
  tasks.push_back(CallApi(
      run, probes::kGoogleDirectory,
      Get(endpoints.google_directory,
          absl::StrCat("/admin/directory/v1/users/", net::EncodePathSegment(target.account)),
          access_token),
      {OAuthApi::kDirectory}));
  auto results = co_await net::WhenAll(std::move(tasks));

  AccountFacts facts;
  const std::string who = target.account;
  if (results[0]) {
    ApiCall& call = *results[0];
    NoteMailboxError(run, call, &facts);
    if (call.ok()) {
      facts.checked_any = true;
      facts.can_send = true;
      ReadGmailProfile(*call.json, &facts);
      if (facts.token_account) {
        (*call.probe->mutable_facts())[facts::kEmailAddress] = *facts.token_account;
        if (Lower(*facts.token_account) != Lower(who)) {
          auto f = diagnosis::ClassifyObservation(
              Observation::kTokenForOtherAccount,
              {absl::StrCat("Gmail API: the token belongs to ", *facts.token_account,
                            ", the channel's address is ", who)});
          f.probe = probes::kGmailProfile;
          run.recorder->Add(std::move(f));
        }
      }
    }
  }
  if (results[1]) {
    ApiCall& call = *results[1];
    NoteMailboxError(run, call, &facts);
    if (call.answered && call.status == 403) {
      for (const auto& f : run.recorder->findings()) {
        if (f.code == v1::DIAGNOSIS_CODE_INTEGRATION_NOT_ADMIN) facts.admin = false;
      }
    }
    if (call.ok()) {
      facts.checked_any = true;
      ReadGoogleDirectoryUser(*call.json, &facts);
      auto& pf = *call.probe->mutable_facts();
      if (facts.admin) pf[facts::kIsAdmin] = *facts.admin ? "true" : "false";
      if (facts.mailbox_set_up)
        pf[facts::kIsMailboxSetup] = *facts.mailbox_set_up ? "true" : "false";
      if (facts.enabled) pf[facts::kSuspended] = *facts.enabled ? "false" : "true";
      if (facts.archived) pf[facts::kArchived] = *facts.archived ? "true" : "false";
      if (facts.admin == false) {
        Observe(run, Observation::kNotAdmin,
                absl::StrCat("Directory API: ", who, " has isAdmin = false"),
                probes::kGoogleDirectory);
      }
      if (facts.mailbox_set_up == false) {
        Observe(run, Observation::kMailboxNotSetUp,
                absl::StrCat("Directory API: ", who, " has isMailboxSetup = false"),
                probes::kGoogleDirectory);
      }
      if (facts.enabled == false) {
        Observe(run, Observation::kAccountSuspended,
                absl::StrCat("Directory API: ", who, " is suspended"), probes::kGoogleDirectory);
      }
      if (facts.archived == true) {
        Observe(run, Observation::kAccountArchived,
                absl::StrCat("Directory API: ", who, " is archived"), probes::kGoogleDirectory);
      }
    }
  }
  co_return facts;
}

}  // namespace cv::oauth
