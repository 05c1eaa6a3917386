#include "diagnosis/rejection_record.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "diagnosis/probe_names.h"

namespace cv::diagnosis {
namespace {

namespace pb = channelverify::v1;

constexpr size_t kMaxReplyInRecord = 300;

}  // namespace

std::string EncodeRejection(DiagnosisCode code, std::string_view variant, std::string_view reply) {
  return absl::StrCat(static_cast<int>(code), "|", Av(variant), "|",
                      Av(reply.substr(0, kMaxReplyInRecord)));
}

bool DecodeRejection(std::string_view record, Finding* finding) {
  const auto first = record.find('|');
  if (first == std::string_view::npos) return false;
  const auto second = record.find('|', first + 1);
  if (second == std::string_view::npos) return false;
  int code = 0;
  if (!absl::SimpleAtoi(Av(record.substr(0, first)), &code) || !pb::DiagnosisCode_IsValid(code) ||
      code == pb::DIAGNOSIS_CODE_UNSPECIFIED) {
    return false;
  }
  finding->code = static_cast<DiagnosisCode>(code);
  finding->variant = std::string(record.substr(first + 1, second - first - 1));
  const std::string_view reply = record.substr(second + 1);
  if (!reply.empty()) finding->evidence.push_back(absl::StrCat("AUTH: ", Av(reply)));
  finding->probe = probes::kSmtpAuth;
  return true;
}

}  // namespace cv::diagnosis
