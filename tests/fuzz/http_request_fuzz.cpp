// Fuzzes HttpRequestParser and checks chunk-boundary invariance: the input fed in one piece and
// fed cut at a point chosen by the first byte must yield the same requests, the same
// 100-continue points and the same error. Small limits so that 413/431 paths are reached.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/http_message.h"

namespace {

std::vector<std::string> run(std::string_view input, size_t cut) {
  sg::gw::HttpLimits limits;
  limits.max_header_bytes = 512;
  limits.max_headers = 8;
  limits.max_body_bytes = 1024;
  sg::gw::HttpRequestParser parser(limits);
  std::vector<std::string> log;
  std::string pending;
  for (std::string_view piece : {input.substr(0, cut), input.substr(cut)}) {
    pending.append(piece);
    size_t off = 0;
    while (off < pending.size()) {
      auto f = parser.feed(std::string_view(pending).substr(off));
      if (f.consumed > pending.size() - off) abort();
      off += f.consumed;
      using Step = sg::gw::HttpRequestParser::Step;
      if (f.step == Step::need_more) {
        if (off != pending.size()) abort();  // need_more means everything was taken
        break;
      }
      if (f.step == Step::expect_continue) {
        log.push_back("continue");
        continue;
      }
      if (f.step == Step::error) {
        int st = parser.error_status();
        if (st != 400 && st != 413 && st != 431) abort();
        log.push_back("error " + std::to_string(st));
        return log;
      }
      sg::gw::HttpRequest r = parser.take_request();
      if (r.body.size() > limits.max_body_bytes) abort();
      if (r.headers.size() > limits.max_headers) abort();
      std::string s = r.method + "|" + r.target + "|" + r.path + "|" + r.query + "|" +
                      (r.keep_alive ? "ka|" : "close|");
      for (const auto& [k, v] : r.headers) s += k + "=" + v + ";";
      log.push_back(s + "|" + r.body);
    }
    pending.erase(0, off);
  }
  return log;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  size_t cut = input.empty() ? 0 : data[0] % (input.size() + 1);
  if (run(input, input.size()) != run(input, cut)) abort();
  return 0;
}
