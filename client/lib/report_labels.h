// The report's own words, in English and German (the service's texts come in the response).
// Internal to the client library.
#pragma once

#include <string_view>

#include "channelverify/v1/channel_verifier.pb.h"

namespace channelverify::report {

struct Labels {
  std::string_view lang;  // the page's lang attribute
  std::string_view verify_title, send_title;
  std::string_view one_diagnosis, diagnoses_count;  // "1 diagnosis", N + " diagnoses"
  std::string_view channel, result, diagnoses, timeline, steps, settings, transcripts, about;
  std::string_view port_in_text;  // "port" inside a phrase ("alternative: port 465, ...")
  std::string_view kind, server, port, encryption, username, sender, password, provider, account,
      tenant, token, recipient, request_id;
  std::string_view secret_given, secret_none, refresh_token_given, access_token_given;
  std::string_view pass, warn, fail, unknown;
  std::string_view accepted, not_accepted, server_reply, message_id;
  std::string_view documented_case, what_to_do, escalation, evidence, probe, likely;
  std::string_view error, warning, info;
  std::string_view no_diagnoses, no_settings, no_transcript;
  std::string_view setting, outcome, configured, alternative, works, failed_at, suggested,
      not_reached;
  std::string_view step, status, start, duration, target, detail;
  std::string_view ok, failed, timed_out, skipped;
  std::string_view made_at, made_from, made_by, not_known, elapsed, detected_provider;
  std::string_view egress_note, timeline_note, secrets_note;
  std::string_view starttls, implicit_tls, no_tls;
};

const Labels& LabelsFor(bool german);

std::string_view StatusName(const Labels& l, v1::ProbeStatus status);
std::string_view SeverityName(const Labels& l, v1::Severity severity);
std::string_view ModeName(const Labels& l, v1::TlsMode mode);

}  // namespace channelverify::report
