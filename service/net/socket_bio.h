#pragma once

#include <openssl/bio.h>

namespace cv::net {

// A BIO over a non-blocking socket it does not own: recv(2) and send(2) with MSG_NOSIGNAL, so a
// peer that closed early is an EPIPE error and never a SIGPIPE (OpenSSL's own socket BIO uses
// write(2)). EAGAIN sets the retry flags, which SSL_get_error() reports as WANT_READ/WANT_WRITE.
BIO* NewSocketBio(int fd);

}  // namespace cv::net
