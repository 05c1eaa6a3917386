// The diagnosis classifier with any stage, provider and reply, the way a hostile or merely
// unusual server can shape them, and the rendering of what it finds.
//
// Properties: every finding names a code of the catalog (and a variant the catalog knows), its
// confidence is in (0, 1], and it renders in both languages with a title.
#include <cstdint>
#include <string>

#include "common/display.h"
#include "diagnosis/catalog.h"
#include "diagnosis/classifier.h"
#include "fuzz_input.h"
#include "smtp/reply_parser.h"

namespace cv::fuzz {
namespace {

namespace v1 = channelverify::v1;
using diagnosis::Finding;

void CheckFinding(const Finding& f) {
  CV_FUZZ_CHECK(f.code != v1::DIAGNOSIS_CODE_UNSPECIFIED);
  CV_FUZZ_CHECK(diagnosis::FindEntry(f.code) != nullptr);
  if (!f.variant.empty()) CV_FUZZ_CHECK(diagnosis::FindVariant(f.code, f.variant) != nullptr);
  CV_FUZZ_CHECK(f.confidence > 0.0 && f.confidence <= 1.0);
  const diagnosis::RenderContext ctx;
  for (Lang lang : {Lang::kEn, Lang::kDe}) {
    const v1::Diagnosis d = diagnosis::Render(f, lang, ctx);
    CV_FUZZ_CHECK(!d.title().empty());
    CV_FUZZ_CHECK(d.code() == f.code);
  }
}

}  // namespace
}  // namespace cv::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cv::fuzz;
  namespace diagnosis = cv::diagnosis;
  FuzzInput in(data, size);
  diagnosis::SmtpEvidence evidence;
  evidence.stage =
      static_cast<diagnosis::Stage>(in.Byte() % (static_cast<int>(diagnosis::Stage::kQuit) + 1));
  // Values past the enum's end too: a proto enum field can carry numbers this build does not
  // know, and the classifier must treat them as "no provider".
  evidence.provider = static_cast<diagnosis::Provider>(in.Byte() % 6);
  evidence.google_smtp_host = in.Bool();
  evidence.username_given = in.Bool();
  const bool raw = in.Bool();
  if (raw) {
    // A reply built by hand: any code, any enhanced code, any lines (even none), as code
    // elsewhere in the service could construct it.
    evidence.reply.code = static_cast<int>(in.U16() % 1000);
    evidence.reply.enhanced = in.Field(16);
    const int lines = in.Byte() % 8;
    for (int i = 0; i < lines; ++i) evidence.reply.lines.push_back(in.Field(512));
  } else {
    // What smtp::Exchange hands over: a parsed reply, redacted and escaped for display.
    cv::smtp::ReplyParser parser;
    parser.Feed(in.Rest());
    auto reply = parser.Next();
    if (!reply) return 0;
    for (auto& line : reply->lines) line = cv::SanitizeForDisplay(line);
    evidence.reply = std::move(*reply);
  }
  for (const diagnosis::Finding& f : diagnosis::ClassifySmtpReply(evidence)) CheckFinding(f);
  (void)diagnosis::StageName(evidence.stage);
  (void)diagnosis::StageProbe(evidence.stage);

  const auto observation = static_cast<diagnosis::Observation>(
      in.Byte() % (static_cast<int>(diagnosis::Observation::kMaxValue) + 1));
  CheckFinding(diagnosis::ClassifyObservation(observation, {in.Field(256)}));
  return 0;
}
