#include "verify/scrub.h"

#include <string>
#include <vector>

namespace cv::verify {

namespace pb = google::protobuf;

void ScrubMessage(const Redactor& redactor, pb::Message* message) {
  const pb::Reflection* reflection = message->GetReflection();
  std::vector<const pb::FieldDescriptor*> fields;
  reflection->ListFields(*message, &fields);
  for (const pb::FieldDescriptor* field : fields) {
    if (field->cpp_type() == pb::FieldDescriptor::CPPTYPE_STRING) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(*message, field); ++i) {
          reflection->SetRepeatedString(
              message, field, i, redactor.Scrub(reflection->GetRepeatedString(*message, field, i)));
        }
      } else {
        reflection->SetString(message, field,
                              redactor.Scrub(reflection->GetString(*message, field)));
      }
    } else if (field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
      // Map entries are repeated messages too: their values are scrubbed, their keys (names
      // this service chose) as well, harmlessly.
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(*message, field); ++i) {
          ScrubMessage(redactor, reflection->MutableRepeatedMessage(message, field, i));
        }
      } else {
        ScrubMessage(redactor, reflection->MutableMessage(message, field));
      }
    }
  }
}

}  // namespace cv::verify
