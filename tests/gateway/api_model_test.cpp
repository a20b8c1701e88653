#include "gateway/api_model.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace sg::gw::api {
namespace {

using nlohmann::json;

class ApiModelTest : public ::testing::Test {
 protected:
  std::unique_ptr<Model> model = Model::load_embedded();
  std::vector<std::string> check(std::string_view op, const json& input) {
    return validate(*model->find(op)->input, input);
  }
};

TEST_F(ApiModelTest, EveryOperationOfTheModelIsThereWithItsRoute) {
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->operations().size(), 39u);
  EXPECT_EQ(model->route("POST", "/CreateIngestConfiguration")->name, "CreateIngestConfiguration");
  EXPECT_EQ(model->route("GET", "/tags/arn%3Aaws%3Aivs")->name, "ListTagsForResource");
  EXPECT_EQ(model->route("POST", "/tags/x")->name, "TagResource");
  EXPECT_EQ(model->route("DELETE", "/tags/x")->name, "UntagResource");
  EXPECT_EQ(model->route("GET", "/CreateStage"), nullptr);
  EXPECT_EQ(model->route("POST", "/NoSuchOperation"), nullptr);
}

TEST_F(ApiModelTest, ValidInputHasNoErrors) {
  EXPECT_TRUE(check("CreateIngestConfiguration",
                    {{"name", "obs-1"},
                     {"ingestProtocol", "RTMP"},
                     {"insecureIngest", true},
                     {"stageArn", "arn:aws:ivs:us-east-1:123456789012:stage/AbCdEfGh1234"},
                     {"tags", {{"team", "a"}}}})
                  .empty());
  EXPECT_TRUE(
      check("CreateIngestConfiguration", {{"ingestProtocol", "RTMPS"}, {"stageArn", ""}}).empty());
  EXPECT_TRUE(check("TagResource",
                    {{"resourceArn", "arn:aws:ivs:us-east-1:123456789012:stage/AbCdEfGh1234"},
                     {"tags", {{"k", "v"}}}})
                  .empty());
}

TEST_F(ApiModelTest, EachConstraintNamesTheMember) {
  auto e = check("CreateIngestConfiguration", json::object());
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0],
            "Value null at 'ingestProtocol' failed to satisfy constraint: Member must not be null");

  e = check("CreateIngestConfiguration", {{"ingestProtocol", "FOO"}});
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0],
            "Value 'FOO' at 'ingestProtocol' failed to satisfy constraint: Member must satisfy "
            "enum value set: [RTMP, RTMPS]");

  e = check("CreateIngestConfiguration", {{"ingestProtocol", "RTMP"}, {"name", "bad name!"}});
  ASSERT_EQ(e.size(), 1u);
  EXPECT_NE(e[0].find("at 'name'"), std::string::npos);
  EXPECT_NE(e[0].find("regular expression pattern"), std::string::npos);

  e = check("CreateIngestConfiguration",
            {{"ingestProtocol", "RTMP"}, {"stageArn", "arn:aws:ivs:us-east-1:1:channel/x"}});
  ASSERT_EQ(e.size(), 1u);
  EXPECT_NE(e[0].find("at 'stageArn'"), std::string::npos);

  e = check("ListIngestConfigurations", {{"maxResults", 101}});
  ASSERT_EQ(e.size(), 1u);
  EXPECT_NE(e[0].find("at 'maxResults'"), std::string::npos);
  EXPECT_NE(e[0].find("less than or equal to 100"), std::string::npos);

  e = check("ListIngestConfigurations", {{"maxResults", "ten"}});
  ASSERT_EQ(e.size(), 1u);
  EXPECT_NE(e[0].find("must be an integer"), std::string::npos);

  json tags = json::object();
  for (int i = 0; i < 51; ++i) tags["k" + std::to_string(i)] = "v";
  e = check("CreateStage", {{"tags", tags}});
  ASSERT_EQ(e.size(), 1u);
  EXPECT_NE(e[0].find("at 'tags'"), std::string::npos);

  e = check("CreateStage", {{"tags", {{"", "v"}}}});
  ASSERT_EQ(e.size(), 1u);
  EXPECT_NE(e[0].find("at 'tags.key'"), std::string::npos);

  e = check("ListParticipantEvents", {{"stageArn", "arn:aws:ivs:us-east-1:123456789012:stage/a"},
                                      {"sessionId", "st-short"}});
  ASSERT_EQ(e.size(), 2u);  // sessionId too short, participantId missing
}

TEST_F(ApiModelTest, LengthsCountCharactersNotBytes) {
  std::string name(128, 'a');
  EXPECT_TRUE(
      check("CreateIngestConfiguration", {{"ingestProtocol", "RTMP"}, {"userId", name}}).empty());
  std::string utf8;
  for (int i = 0; i < 128; ++i) utf8 += "\xC3\xA9";  // 128 x 'é' = 256 bytes
  EXPECT_TRUE(
      check("CreateIngestConfiguration", {{"ingestProtocol", "RTMP"}, {"userId", utf8}}).empty());
  EXPECT_EQ(check("CreateIngestConfiguration", {{"ingestProtocol", "RTMP"}, {"userId", utf8 + "x"}})
                .size(),
            1u);
}

TEST_F(ApiModelTest, MessageCountsTheErrors) {
  EXPECT_EQ(validation_message({"a"}), "1 validation error detected: a");
  EXPECT_EQ(validation_message({"a", "b"}), "2 validation errors detected: a; b");
}

}  // namespace
}  // namespace sg::gw::api
