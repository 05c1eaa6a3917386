#include "support/deploy.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fstream>
#include <regex>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "support/process.h"

namespace cv::testing {

absl::StatusOr<int> LoggedPort(const std::string& logs, std::string_view key) {
  std::istringstream lines(logs);
  std::string line;
  const std::regex number(absl::StrCat("\"", std::string(key), "\":(\\d+)"));
  while (std::getline(lines, line)) {
    if (line.find("\"msg\":\"serving\"") == std::string::npos) continue;
    std::smatch match;
    if (std::regex_search(line, match, number)) return std::stoi(match[1]);
    return absl::NotFoundError(absl::StrCat("no ", std::string(key), " in ", line));
  }
  return absl::NotFoundError(absl::StrCat("no serving line in: ", logs));
}

absl::StatusOr<CertKey> MakeClientCert(const std::filesystem::path& ca_dir,
                                       const std::filesystem::path& dir, const std::string& name,
                                       const std::string& san) {
  const CertKey out{dir / (name + ".pem"), dir / (name + ".key")};
  const auto csr = dir / (name + ".csr");
  const auto ext = dir / (name + ".ext");
  std::ofstream(ext) << "basicConstraints=critical,CA:FALSE\n"
                        "keyUsage=critical,digitalSignature\n"
                        "extendedKeyUsage=clientAuth\n"
                     << (san.empty() ? "" : "subjectAltName=" + san + "\n");
  auto made = RunCommand({"/usr/bin/openssl", "req", "-new", "-newkey", "ec", "-pkeyopt",
                          "ec_paramgen_curve:P-256", "-nodes", "-keyout", out.key.string(), "-subj",
                          "/CN=" + name, "-out", csr.string()});
  if (!made.ok()) return made.status();
  auto signed_cert =
      RunCommand({"/usr/bin/openssl", "x509", "-req", "-in", csr.string(), "-CA",
                  (ca_dir / "ca.pem").string(), "-CAkey", (ca_dir / "ca.key").string(),
                  "-CAcreateserial", "-CAserial", (dir / (name + ".srl")).string(), "-days", "2",
                  "-extfile", ext.string(), "-out", out.cert.string()});
  if (!signed_cert.ok()) return signed_cert.status();
  return out;
}

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::shared_ptr<grpc::Channel> TlsChannel(int port, const std::filesystem::path& ca,
                                          const std::optional<CertKey>& client) {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = ReadText(ca);
  if (client) {
    options.pem_cert_chain = ReadText(client->cert);
    options.pem_private_key = ReadText(client->key);
  }
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride("localhost");
  // Each test's channel is its own connection, so a refused handshake is not reused.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port), grpc::SslCredentials(options),
                                   args);
}

std::shared_ptr<grpc::Channel> PlainChannel(int port) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port),
                                   grpc::InsecureChannelCredentials(), args);
}

absl::StatusOr<HttpResponse> HttpGet(int port, const std::string& target) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(std::chrono::seconds(5));
  beast::error_code ec;
  stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"),
                                                static_cast<unsigned short>(port)),
                 ec);
  if (ec) return absl::UnavailableError(absl::StrCat("connect: ", ec.message()));
  http::request<http::empty_body> request(http::verb::get, target, 11);
  request.set(http::field::host, "127.0.0.1");
  http::write(stream, request, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("write: ", ec.message()));
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(stream, buffer, response, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("read: ", ec.message()));
  HttpResponse out;
  out.status = response.result_int();
  out.content_type = std::string(response[http::field::content_type]);
  out.body = response.body();
  return out;
}

std::optional<double> MetricValue(const std::string& exposition, std::string_view series) {
  std::istringstream lines(exposition);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return std::nullopt;
}

}  // namespace cv::testing
