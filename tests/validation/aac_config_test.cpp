#include "validation/aac_config.h"

#include <gtest/gtest.h>

#include <vector>

namespace sg::validation {
namespace {

struct AscCase {
  const char* name;
  std::vector<uint8_t> bytes;
  uint32_t object_type, core_object_type, sample_rate, channels;
  bool sbr, ps;
  const char* codec;
};

// Bit layouts are in the comments: object type (5 [+6]), frequency index (4 [+24]),
// channelConfiguration (4), then the GASpecificConfig / SBR fields.
const std::vector<AscCase> kGolden = {
    // 00010 0100 0010 000: the usual 44.1 kHz stereo AAC-LC header.
    {"lc_44100_stereo", {0x12, 0x10}, 2, 2, 44100, 2, false, false, "aac_lc"},
    {"lc_48000_stereo", {0x11, 0x90}, 2, 2, 48000, 2, false, false, "aac_lc"},
    // What Debian's ffmpeg aac encoder writes: the SBR sync extension with sbrPresentFlag 0.
    {"ffmpeg_lc_sync_no_sbr",
     {0x11, 0x90, 0x56, 0xE5, 0x00},
     2,
     2,
     48000,
     2,
     false,
     false,
     "aac_lc"},
    {"lc_48000_mono", {0x11, 0x88}, 2, 2, 48000, 1, false, false, "aac_lc"},
    {"lc_48000_7_1", {0x11, 0xB8}, 2, 2, 48000, 8, false, false, "aac_lc"},
    {"lc_pce", {0x11, 0x80}, 2, 2, 48000, 0, false, false, "aac_lc"},
    {"aac_main", {0x0A, 0x10}, 1, 1, 44100, 2, false, false, "aac_ot1"},
    // 00101 0110 0010 0011 00010: hierarchical SBR, 24 kHz core, 48 kHz output.
    {"he_aac_hierarchical", {0x2B, 0x11, 0x88}, 5, 2, 24000, 2, true, false, "he_aac"},
    // 11101 0110 0001 0011 00010: hierarchical PS.
    {"he_aac_v2_hierarchical", {0xEB, 0x09, 0x88}, 29, 2, 24000, 1, true, true, "he_aac_v2"},
    // LC + GASpecificConfig + sync 0x2b7, extension type 5, sbrPresentFlag 1, index 3.
    {"he_aac_backward_compatible",
     {0x13, 0x10, 0x56, 0xE5, 0x98},
     2,
     2,
     24000,
     2,
     true,
     false,
     "he_aac"},
    // ... and the PS sync extension 0x548 with psPresentFlag 1.
    {"he_aac_v2_backward_compatible",
     {0x13, 0x08, 0x56, 0xE5, 0x9D, 0x48, 0x80},
     2,
     2,
     24000,
     1,
     true,
     true,
     "he_aac_v2"},
    // 11111 001010: escaped object type 32 + 10 = 42 (USAC).
    {"escaped_object_type", {0xF9, 0x46, 0x40}, 42, 42, 48000, 2, false, false, "aac_ot42"},
    // Frequency index 15: explicit 24-bit rate 0x00AC44 = 44100.
    {"explicit_rate", {0x17, 0x80, 0x56, 0x22, 0x10}, 2, 2, 44100, 2, false, false, "aac_lc"},
};

TEST(AacConfig, GoldenTable) {
  for (const AscCase& c : kGolden) {
    SCOPED_TRACE(c.name);
    Result<AudioSpecificConfig> r = parse_audio_specific_config(c.bytes);
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_EQ(r->object_type, c.object_type);
    EXPECT_EQ(r->core_object_type, c.core_object_type);
    EXPECT_EQ(r->sample_rate, c.sample_rate);
    EXPECT_EQ(r->channels, c.channels);
    EXPECT_EQ(r->sbr, c.sbr);
    EXPECT_EQ(r->ps, c.ps);
    EXPECT_EQ(r->codec_name(), c.codec);
  }
}

TEST(AacConfig, Errors) {
  struct ErrCase {
    std::vector<uint8_t> bytes;
    std::string_view reason;
  };
  const std::vector<ErrCase> cases = {
      {{}, "aac.truncated"},
      {{0x12}, "aac.truncated"},
      {{0x16, 0x90}, "aac.bad_sample_rate"},     // frequency index 13 is reserved
      {{0x11, 0xC0}, "aac.bad_channel_config"},  // channelConfiguration 8 is reserved
      {{0x17, 0x80, 0x56}, "aac.truncated"},     // explicit rate cut short
      {{0x2B, 0x11}, "aac.truncated"},           // SBR core type missing
  };
  for (const ErrCase& c : cases) {
    Result<AudioSpecificConfig> r = parse_audio_specific_config(c.bytes);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().reason, c.reason);
  }
}

// Every prefix of every golden input either fails cleanly or, once the mandatory fields are
// there, gives the same core fields (a cut sync extension just means "no SBR signalled").
TEST(AacConfig, EveryTruncationIsHandled) {
  for (const AscCase& c : kGolden) {
    SCOPED_TRACE(c.name);
    for (size_t n = 0; n < c.bytes.size(); ++n) {
      Result<AudioSpecificConfig> r = parse_audio_specific_config(ByteView(c.bytes.data(), n));
      if (r) {
        EXPECT_EQ(r->object_type, c.object_type) << n;
        EXPECT_EQ(r->sample_rate, c.sample_rate) << n;
        EXPECT_EQ(r->channels, c.channels) << n;
        if (c.object_type == 2) {
          EXPECT_FALSE(r->sbr && !c.sbr) << n;
        }
      }
    }
  }
}

}  // namespace
}  // namespace sg::validation
