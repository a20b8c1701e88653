#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/loader.h"

namespace sg::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(Describe, SummarisesWithoutSecrets) {
  const LoadResult r = load_string(
      "api:\n"
      "  credentials: [{access_key_id: AKIDSHOWN, secret_access_key: hiddenApiSecret123456}]\n"
      "stage_endpoint:\n"
      "  kind: rtmp\n"
      "  url: \"rtmp://user:pw@relay.test/live/upstreamKEY-{participantId}\"\n"
      "stages:\n"
      "  - name: demo\n"
      "    ingest_configurations:\n"
      "      - name: obs\n"
      "        ingest_protocol: RTMP\n"
      "        insecure_ingest: true\n"
      "        stream_key: rt_123456789012_us-east-1_AbCdEfGh1234_hiddenStreamSecret12345678\n",
      "d.yaml");
  ASSERT_TRUE(r.config) << (r.errors.empty() ? "" : r.errors[0]);
  const std::string text = describe(*r.config);
  EXPECT_THAT(text, HasSubstr("configuration: d.yaml"));
  EXPECT_THAT(text, HasSubstr("rtmp: 127.0.0.1:1935"));
  EXPECT_THAT(text, HasSubstr("AKIDSHOWN/****"));
  EXPECT_THAT(text, HasSubstr("rt_123456789012_us-east-1_AbCdEfGh1234_****"));
  EXPECT_THAT(text, HasSubstr("rtmp://****@relay.test/****"));
  EXPECT_THAT(text, HasSubstr("demo"));
  EXPECT_THAT(text, Not(HasSubstr("hiddenApiSecret")));
  EXPECT_THAT(text, Not(HasSubstr("hiddenStreamSecret")));
  EXPECT_THAT(text, Not(HasSubstr("upstreamKEY")));
  EXPECT_THAT(text, Not(HasSubstr("pw@")));
}

TEST(Describe, Defaults) {
  const std::string text = describe(*defaults().config);
  EXPECT_THAT(text, HasSubstr("configuration: <defaults>"));
  EXPECT_THAT(text, HasSubstr("rtmps: off"));
  EXPECT_THAT(text, HasSubstr("api: 127.0.0.1:8080"));
  EXPECT_THAT(text, HasSubstr("state: var/stagegate.db"));
  EXPECT_THAT(text, HasSubstr("stage endpoint: local"));
  EXPECT_THAT(text, HasSubstr("stages: none"));
}

}  // namespace
}  // namespace sg::config
