#include "oauth/json.h"

#include <google/protobuf/util/json_util.h>

#include <cmath>

#include "absl/strings/str_cat.h"

namespace cv::oauth {

std::optional<JsonObject> ParseJsonObject(std::string_view text, std::string* error) {
  auto fail = [error](std::string reason) -> std::optional<JsonObject> {
    if (error != nullptr) *error = std::move(reason);
    return std::nullopt;
  };
  size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return fail("empty body");
  if (text[start] != '{') return fail("not a JSON object");
  JsonObject object;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(text.data(), text.size()), &object, options);
  if (!status.ok()) {
    // The parser's message quotes the input around the error; keep it short and our own.
    return fail("malformed JSON");
  }
  return object;
}

const JsonValue* Field(const JsonObject& object, std::string_view key) {
  auto it = object.fields().find(std::string(key));
  return it == object.fields().end() ? nullptr : &it->second;
}

std::optional<std::string> GetString(const JsonObject& object, std::string_view key) {
  const JsonValue* v = Field(object, key);
  if (v == nullptr || v->kind_case() != JsonValue::kStringValue) return std::nullopt;
  return v->string_value();
}

std::optional<bool> GetBool(const JsonObject& object, std::string_view key) {
  const JsonValue* v = Field(object, key);
  if (v == nullptr || v->kind_case() != JsonValue::kBoolValue) return std::nullopt;
  return v->bool_value();
}

std::optional<double> GetNumber(const JsonObject& object, std::string_view key) {
  const JsonValue* v = Field(object, key);
  if (v == nullptr) return std::nullopt;
  if (v->kind_case() == JsonValue::kNumberValue) return v->number_value();
  // Google's token endpoint has been seen to quote numbers ("expires_in": "3599").
  if (v->kind_case() == JsonValue::kStringValue) {
    double d = 0;
    const std::string& s = v->string_value();
    if (!s.empty() && s.size() < 20 && s.find_first_not_of("0123456789") == std::string::npos) {
      d = std::stod(s);
      return d;
    }
  }
  return std::nullopt;
}

const JsonObject* GetObject(const JsonObject& object, std::string_view key) {
  const JsonValue* v = Field(object, key);
  if (v == nullptr || v->kind_case() != JsonValue::kStructValue) return nullptr;
  return &v->struct_value();
}

const google::protobuf::ListValue* GetList(const JsonObject& object, std::string_view key) {
  const JsonValue* v = Field(object, key);
  if (v == nullptr || v->kind_case() != JsonValue::kListValue) return nullptr;
  return &v->list_value();
}

std::vector<std::string> ListAsStrings(const google::protobuf::ListValue& list) {
  std::vector<std::string> out;
  for (const JsonValue& v : list.values()) {
    if (v.kind_case() == JsonValue::kStringValue) {
      out.push_back(v.string_value());
    } else if (v.kind_case() == JsonValue::kNumberValue) {
      const double d = v.number_value();
      if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15) {
        out.push_back(absl::StrCat(static_cast<long long>(d)));
      } else {
        out.push_back(absl::StrCat(d));
      }
    }
  }
  return out;
}

}  // namespace cv::oauth
