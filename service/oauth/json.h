#pragma once

#include <google/protobuf/struct.pb.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// JSON from identity providers and mail APIs, parsed with protobuf's JSON utilities into a
// google.protobuf.Struct: no exceptions, a depth limit, and errors as values. Accessors answer
// "absent" for a missing key and for a value of another type alike, so a server that sends
// {"accountEnabled":"yes"} is read as not saying anything, never as true.
namespace cv::oauth {

using JsonObject = google::protobuf::Struct;
using JsonValue = google::protobuf::Value;

// A JSON object; std::nullopt for anything else (malformed, an array, a bare string, empty).
// `error` (optional) receives a short reason.
std::optional<JsonObject> ParseJsonObject(std::string_view text, std::string* error = nullptr);

const JsonValue* Field(const JsonObject& object, std::string_view key);
std::optional<std::string> GetString(const JsonObject& object, std::string_view key);
std::optional<bool> GetBool(const JsonObject& object, std::string_view key);
std::optional<double> GetNumber(const JsonObject& object, std::string_view key);
const JsonObject* GetObject(const JsonObject& object, std::string_view key);
// nullptr when absent or not a list.
const google::protobuf::ListValue* GetList(const JsonObject& object, std::string_view key);
// Numbers and strings of a list as text ("700082", "AADSTS700082" -> both kept as written;
// numbers without a fraction are written without one).
std::vector<std::string> ListAsStrings(const google::protobuf::ListValue& list);

}  // namespace cv::oauth
