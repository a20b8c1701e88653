#include "gateway/rate_limiter.h"

#include <algorithm>

namespace sg::gw {

RateLimiter::RateLimiter(const config::Api& api) : api_(api) {}

RateLimiter::Bucket& RateLimiter::bucket(std::string_view operation) {
  auto it = buckets_.find(operation);
  if (it != buckets_.end()) return it->second;
  Bucket b;
  b.rate = api_.default_rate_limit;
  for (const auto& [op, tps] : api_.rate_limits)
    if (op == operation) b.rate = tps;
  b.tokens = std::max(1.0, b.rate);
  return buckets_.emplace(std::string(operation), b).first->second;
}

bool RateLimiter::allow(std::string_view operation, Millis now) {
  Bucket& b = bucket(operation);
  if (b.rate <= 0) return true;
  double burst = std::max(1.0, b.rate);
  if (b.last != 0) b.tokens = std::min(burst, b.tokens + b.rate * double(now - b.last) / 1000.0);
  b.last = now;
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

}  // namespace sg::gw
