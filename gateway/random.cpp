#include "gateway/random.h"

#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>

namespace sg::gw {

void random_bytes(uint8_t* out, size_t n) {
  if (RAND_bytes(out, static_cast<int>(n)) != 1) {
    std::fputs("stagegate: the OpenSSL CSPRNG failed; refusing to continue\n", stderr);
    std::abort();
  }
}

std::string random_alnum(size_t n) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string s;
  s.reserve(n);
  uint8_t buf[64];
  while (s.size() < n) {
    random_bytes(buf, sizeof buf);
    for (uint8_t b : buf) {
      // 248 = 4 * 62: bytes above it would bias the first characters.
      if (b < 248 && s.size() < n) s.push_back(kAlphabet[b % 62]);
    }
  }
  return s;
}

}  // namespace sg::gw
