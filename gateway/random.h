// Randomness and identifiers. Everything secret or guessable comes from OpenSSL's CSPRNG.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace sg::gw {

// Fills `out` with CSPRNG bytes; aborts the process if the CSPRNG fails (nothing safe can follow).
void random_bytes(uint8_t* out, size_t n);

// `n` characters from [A-Za-z0-9], uniformly (rejection sampling), from the CSPRNG.
std::string random_alnum(size_t n);

// Resource ids as IVS forms them: 12 alphanumerics; stage session ids "st-" + 13 alphanumerics.
inline std::string new_resource_id() {
  return random_alnum(12);
}
inline std::string new_session_id() {
  return "st-" + random_alnum(13);
}

}  // namespace sg::gw
