#pragma once

#include <string>
#include <string_view>

#include "diagnosis/finding.h"

// A rejected password's diagnosis as the AUTH budget store keeps it beside the password's hash
// (rpc/auth_gate.h), so that a repeat of that password is answered without dialling.
namespace cv::diagnosis {

// "code|variant|reply", the reply cut to a few hundred bytes.
std::string EncodeRejection(DiagnosisCode code, std::string_view variant, std::string_view reply);

// The finding a repeat of that password is answered with (probe smtp.auth, the reply as
// evidence); false when `record` is not one this build can read.
bool DecodeRejection(std::string_view record, Finding* finding);

}  // namespace cv::diagnosis
