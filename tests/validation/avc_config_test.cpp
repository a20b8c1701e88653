#include "validation/avc_config.h"

#include <gtest/gtest.h>

#include <vector>

namespace sg::validation {
namespace {

// The avcC record x264 wrote for tests/validation/data/baseline_320x240.flv: version 1, profile 66,
// compatibility 0xC0 (constraint_set0 and set1), level 13, 4-byte lengths, one SPS, one PPS.
const std::vector<uint8_t> kX264Baseline = {
    0x01, 0x42, 0xC0, 0x0D, 0xFF, 0xE1, 0x00, 0x16, 0x67, 0x42, 0xC0, 0x0D, 0xDA,
    0x05, 0x07, 0xEC, 0x04, 0x40, 0x00, 0x00, 0x03, 0x00, 0x40, 0x00, 0x00, 0x0F,
    0x03, 0xC5, 0x0A, 0xA8, 0x01, 0x00, 0x04, 0x68, 0xCE, 0x3C, 0x80};

TEST(AvcConfig, X264Record) {
  Result<AvcConfig> r = parse_avc_config(kX264Baseline);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->profile_idc, 66);
  EXPECT_EQ(r->profile_compatibility, 0xC0);
  EXPECT_TRUE(r->constraint_set1());
  EXPECT_EQ(r->level_idc, 13);
  EXPECT_EQ(r->nal_length_size, 4);
  ASSERT_EQ(r->sps.size(), 1u);
  ASSERT_EQ(r->pps.size(), 1u);
  EXPECT_EQ(r->sps[0].size(), 0x16u);
  EXPECT_EQ(r->sps[0].data(), kX264Baseline.data() + 8);  // a view, not a copy
  EXPECT_EQ(r->pps[0].size(), 4u);
  EXPECT_EQ(r->pps[0][0], 0x68);
}

TEST(AvcConfig, LengthSizesAndTrailingBytes) {
  std::vector<uint8_t> rec = kX264Baseline;
  rec[4] = 0xFD;  // lengthSizeMinusOne 1
  ASSERT_TRUE(parse_avc_config(rec));
  EXPECT_EQ(parse_avc_config(rec)->nal_length_size, 2);
  rec[4] = 0xFE;  // 3-byte lengths are not allowed by 14496-15
  EXPECT_EQ(parse_avc_config(rec).error().reason, "avc.bad_length_size");
  rec = kX264Baseline;
  rec.insert(rec.end(), {0xFC, 0xF8, 0xF8, 0x00});  // high-profile trailer: ignored
  EXPECT_TRUE(parse_avc_config(rec));
}

TEST(AvcConfig, Errors) {
  auto reason = [](std::vector<uint8_t> rec) {
    Result<AvcConfig> r = parse_avc_config(rec);
    return r ? std::string_view("ok") : r.error().reason;
  };
  std::vector<uint8_t> rec = kX264Baseline;
  rec[0] = 2;
  EXPECT_EQ(reason(rec), "avc.bad_version");
  rec = kX264Baseline;
  rec[5] = 0xE0;  // no SPS
  EXPECT_EQ(reason(rec), "avc.no_sps");
  rec = kX264Baseline;
  rec[30] = 0;  // no PPS
  EXPECT_EQ(reason(rec), "avc.no_pps");
  rec = kX264Baseline;
  rec[8] = 0x68;  // a PPS where the SPS should be
  EXPECT_EQ(reason(rec), "avc.bad_nal_type");
  rec = kX264Baseline;
  rec[7] = 0x40;  // SPS length beyond the record
  EXPECT_EQ(reason(rec), "avc.truncated");
  rec = kX264Baseline;
  rec[7] = 0x00;  // zero-length SPS
  EXPECT_EQ(reason(rec), "avc.truncated");
}

// Every strict prefix of the record is missing part of a parameter set: each must fail cleanly.
TEST(AvcConfig, EveryTruncationFails) {
  for (size_t n = 0; n < kX264Baseline.size(); ++n) {
    Result<AvcConfig> r = parse_avc_config(ByteView(kX264Baseline.data(), n));
    EXPECT_FALSE(r) << "prefix of " << n << " bytes parsed";
  }
}

}  // namespace
}  // namespace sg::validation
