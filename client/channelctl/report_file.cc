#include "channelctl/report_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace channelctl {

bool ReportFile::Claim(const std::string& path, std::string* error) {
  path_ = path;
  if (path.empty()) {
    *error = "--report needs a file name";
    return false;
  }
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    created_ = fd >= 0;
  }
  if (fd < 0) {
    *error = "--report: cannot write " + path + ": " + std::strerror(errno);
    return false;
  }
  close(fd);
  return true;
}

bool ReportFile::Write(const std::string& html, std::string* error) {
  FILE* f = std::fopen(path_.c_str(), "wb");
  bool ok = f != nullptr && std::fwrite(html.data(), 1, html.size(), f) == html.size();
  const int saved = errno;
  if (f != nullptr && std::fclose(f) != 0) ok = false;
  if (!ok) {
    *error = "--report: cannot write " + path_ + ": " + std::strerror(saved ? saved : errno);
  }
  return ok;
}

void ReportFile::Abandon() {
  if (created_) unlink(path_.c_str());
  created_ = false;
}

}  // namespace channelctl
