#include "gateway/rate_limiter.h"

#include <gtest/gtest.h>

#include "gateway/metrics.h"

namespace sg::gw {
namespace {

TEST(RateLimiter, BucketPerOperationRefillsAtItsRate) {
  config::Api api;
  api.rate_limits = {{"ListStages", 2}};
  RateLimiter r(api);
  Millis t = 1'000'000;
  EXPECT_TRUE(r.allow("ListStages", t));
  EXPECT_TRUE(r.allow("ListStages", t));
  EXPECT_FALSE(r.allow("ListStages", t));
  EXPECT_FALSE(r.allow("ListStages", t + 400));  // 0.8 of a token
  EXPECT_TRUE(r.allow("ListStages", t + 500));
  EXPECT_FALSE(r.allow("ListStages", t + 500));
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(r.allow("GetStage", t));  // unlimited by default
}

TEST(RateLimiter, DefaultLimitAppliesToUnlistedOperations) {
  config::Api api;
  api.default_rate_limit = 1;
  RateLimiter r(api);
  EXPECT_TRUE(r.allow("GetStage", 10'000));
  EXPECT_FALSE(r.allow("GetStage", 10'000));
  EXPECT_TRUE(r.allow("ListStages", 10'000));
  EXPECT_TRUE(r.allow("GetStage", 11'000));
}

TEST(Metrics, RendersPrometheusText) {
  Metrics m;
  m.rtmp_connections_accepted = 3;
  m.refusals["INVALID_STREAM_KEY"] = 2;
  m.api_requests[{"ListStages", 200}] = 5;
  std::string text = m.render();
  EXPECT_NE(text.find("# TYPE stagegate_rtmp_connections_total counter\n"
                      "stagegate_rtmp_connections_total 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("stagegate_publish_refusals_total{code=\"INVALID_STREAM_KEY\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("stagegate_api_requests_total{operation=\"ListStages\",status=\"200\"} 5\n"),
            std::string::npos);
}

}  // namespace
}  // namespace sg::gw
