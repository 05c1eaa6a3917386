#include "common/lang.h"

#include <gtest/gtest.h>

namespace cv {
namespace {

TEST(LangTest, AcceptsEnglishAndGermanTags) {
  Lang lang = Lang::kDe;
  EXPECT_TRUE(ParseLang("", &lang));
  EXPECT_EQ(lang, Lang::kEn);
  EXPECT_TRUE(ParseLang("de-AT", &lang));
  EXPECT_EQ(lang, Lang::kDe);
  EXPECT_TRUE(ParseLang("EN_us", &lang));
  EXPECT_EQ(lang, Lang::kEn);
}

TEST(LangTest, RejectsOtherLanguages) {
  Lang lang;
  EXPECT_FALSE(ParseLang("fr", &lang));
  EXPECT_FALSE(ParseLang("d", &lang));
  EXPECT_FALSE(ParseLang("deu", &lang));
}

}  // namespace
}  // namespace cv
