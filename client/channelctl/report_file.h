// The file of --report FILE. It is claimed before the call, so that a path that cannot be
// written is said at once, before a verification runs or a test message is sent, and written
// after it.
#pragma once

#include <string>

namespace channelctl {

class ReportFile {
 public:
  // Opens `path` for writing without truncating it. False with a one-line `error` (naming the
  // path and the reason) when it cannot be written.
  bool Claim(const std::string& path, std::string* error);
  // Replaces the file's content with `html`. False with `error` when that failed.
  bool Write(const std::string& html, std::string* error);
  // The call failed: a file that Claim created is removed again; an existing one is untouched.
  void Abandon();

 private:
  std::string path_;
  bool created_ = false;
};

}  // namespace channelctl
