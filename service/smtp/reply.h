#pragma once

#include <string>
#include <vector>

namespace cv::smtp {

// One complete SMTP reply (RFC 5321 section 4.2), possibly multi-line.
struct Reply {
  int code = 0;                    // 3-digit reply code, e.g. 535
  std::string enhanced;            // RFC 3463 enhanced status code of the first line, e.g.
                                   // "5.7.139"; empty when the server sent none
  std::vector<std::string> lines;  // text of each line after "NNN-" / "NNN ", without CRLF

  // Lines joined with a single space and the enhanced code stripped from each line that starts
  // with it: what the classifier matches on ("Authentication unsuccessful, the user ...").
  std::string Text() const;
  // The reply as the server sent it, lines joined with "\n": "535-5.7.8 a\n535 5.7.8 b".
  std::string Raw() const;

  bool IsPositive() const { return code >= 200 && code < 400; }
  bool IsTransientFailure() const { return code >= 400 && code < 500; }
  bool IsPermanentFailure() const { return code >= 500; }
};

}  // namespace cv::smtp
