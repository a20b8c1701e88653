// Fuzzes SigV4 verification end to end with fixed credentials and a fixed clock, plus the
// Authorization parser and both canonicalisers on the raw input.
//
// Input layout (HTTP-like, so seeds are readable and mutations stay meaningful):
//   METHOD\nPATH\nQUERY\nName: value\n...\n\nBODY
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/sigv4.h"

namespace {

constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

std::string_view next_line(std::string_view& in) {
  const size_t nl = in.find('\n');
  const std::string_view line = in.substr(0, nl);
  in = nl == std::string_view::npos ? std::string_view{} : in.substr(nl + 1);
  return line;
}

void check(bool cond) {
  if (!cond) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace std::chrono;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // Building blocks on the whole input: no crash, and the outputs keep their alphabet.
  (void)sg::gw::parse_sigv4_authorization(input);
  for (char c : sg::gw::sigv4_canonical_uri(input)) {
    check((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_' || c == '.' || c == '~' || c == '/' || c == '%');
  }
  for (char c : sg::gw::sigv4_canonical_query(input)) {
    check(c != ' ' && c != '+' && static_cast<unsigned char>(c) < 0x80);
  }

  std::string_view rest = input;
  const std::string_view method = next_line(rest);
  const std::string_view path = next_line(rest);
  const std::string_view query = next_line(rest);
  std::vector<std::pair<std::string, std::string>> headers;
  while (!rest.empty()) {
    const std::string_view line = next_line(rest);
    if (line.empty()) break;
    const size_t colon = line.find(':');
    const std::string_view name = line.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    headers.emplace_back(std::string(name), std::string(value));
  }
  const sg::gw::SigV4Request req{method, path, query, headers, rest};
  const std::vector<sg::gw::SigV4Credential> creds = {
      {"AKIDEXAMPLESTAGEGATE", std::string(kSecret)}};
  const auto now = sys_days{year{2024} / 5 / 17} + hours{12} + minutes{34} + seconds{56};
  const auto out = sg::gw::verify_sigv4(req, creds, "us-east-1", "ivs", now);
  // The configured secret never reaches a message; client text is echoed only in excerpts shorter
  // than a secret, so even a secret the client put in its own request never comes back whole.
  check(out.message.find(kSecret) == std::string::npos);
  check(out.ok ? out.http_status == 200 && out.error_type.empty()
               : out.http_status == 403 && !out.error_type.empty() && !out.reason.empty());
  return 0;
}
