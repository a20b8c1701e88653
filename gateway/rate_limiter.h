// Per-operation token buckets for the control API (api.rate_limits / api.default_rate_limit):
// each operation refills at its rate with a burst of one second's worth; 0 means unlimited.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "config/config.h"
#include "gateway/model.h"

namespace sg::gw {

class RateLimiter {
 public:
  explicit RateLimiter(const config::Api& api);
  // Takes one token for `operation` at `now`; false when the caller must be throttled.
  bool allow(std::string_view operation, Millis now);

 private:
  struct Bucket {
    double rate = 0;  // tokens per second; 0 = unlimited
    double tokens = 0;
    Millis last = 0;
  };
  Bucket& bucket(std::string_view operation);
  const config::Api& api_;
  std::map<std::string, Bucket, std::less<>> buckets_;
};

}  // namespace sg::gw
