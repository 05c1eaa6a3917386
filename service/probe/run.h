#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <memory>

#include "common/lang.h"
#include "common/redactor.h"
#include "net/conn.h"
#include "net/deadline.h"
#include "probe/config.h"
#include "probe/recorder.h"

namespace cv::probe {

// The state of one request: its strand, its share of the caller's deadline, the cancellation
// every connection registers with, the recorder of what was found, and the call's one
// redactor (every secret it sends is registered there; everything a server says passes it).
struct Run {
  const Config* config;
  boost::asio::any_io_executor executor;  // the request's strand
  net::Budget budget;
  std::shared_ptr<net::CancelScope> scope;
  std::shared_ptr<Recorder> recorder;
  Lang lang = Lang::kEn;
  std::shared_ptr<Redactor> redactor = std::make_shared<Redactor>();
};

}  // namespace cv::probe
