#include "rtmp/flv.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sg::flv {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
Bytes fcc(const char (&s)[5]) {
  return Bytes(s, s + 4);
}

struct VideoGolden {
  const char* name;
  Bytes body;
  bool enhanced;
  VideoCodec codec;
  uint8_t legacy_codec_id;
  uint32_t fourcc;
  VideoFrameType frame_type;
  VideoPacketType packet_type;
  int32_t composition_time;
  Bytes data;  // the expected view; the header is everything before it
  uint8_t command = 0;
  uint8_t multitrack_type = 0;
};

std::vector<VideoGolden> video_goldens() {
  using VC = VideoCodec;
  using FT = VideoFrameType;
  using PT = VideoPacketType;
  Bytes big_mod_ex(257, 0xEE);
  return {
      {"avc_sequence_header",
       {0x17, 0x00, 0x00, 0x00, 0x00, 0x01, 0x42, 0xc0, 0x1f},
       false,
       VC::kH264,
       7,
       0,
       FT::kKey,
       PT::kSequenceHeader,
       0,
       {0x01, 0x42, 0xc0, 0x1f}},
      {"avc_inter_cts_80",
       {0x27, 0x01, 0x00, 0x00, 0x50, 0x00, 0x00, 0x00, 0x02, 0x41, 0x9a},
       false,
       VC::kH264,
       7,
       0,
       FT::kInter,
       PT::kCodedFrames,
       80,
       {0x00, 0x00, 0x00, 0x02, 0x41, 0x9a}},
      {"avc_negative_cts",
       {0x27, 0x01, 0xff, 0xff, 0xf6, 0xaa},
       false,
       VC::kH264,
       7,
       0,
       FT::kInter,
       PT::kCodedFrames,
       -10,
       {0xaa}},
      {"avc_end_of_sequence",
       {0x17, 0x02, 0x00, 0x00, 0x00},
       false,
       VC::kH264,
       7,
       0,
       FT::kKey,
       PT::kEndOfSequence,
       0,
       {}},
      {"legacy_hevc_id_12",
       {0x1c, 0x00, 0x00, 0x00, 0x00, 0x01},
       false,
       VC::kHevc,
       12,
       0,
       FT::kKey,
       PT::kSequenceHeader,
       0,
       {0x01}},
      {"h263",
       {0x22, 0xaa, 0xbb},
       false,
       VC::kH263,
       2,
       0,
       FT::kInter,
       PT::kCodedFrames,
       0,
       {0xaa, 0xbb}},
      {"vp6_disposable",
       {0x34, 0x01},
       false,
       VC::kVp6,
       4,
       0,
       FT::kDisposable,
       PT::kCodedFrames,
       0,
       {0x01}},
      {"legacy_command_frame",
       {0x57, 0x01},
       false,
       VC::kH264,
       7,
       0,
       FT::kCommand,
       PT::kCommand,
       0,
       {},
       1},
      {"ex_hvc1_sequence_start",
       cat({{0x90}, fcc("hvc1"), {0x01, 0x02}}),
       true,
       VC::kHevc,
       0,
       fourcc("hvc1"),
       FT::kKey,
       PT::kSequenceHeader,
       0,
       {0x01, 0x02}},
      {"ex_hvc1_coded_frames_cts",
       cat({{0x91}, fcc("hvc1"), {0x00, 0x00, 0x21, 0x26, 0x01}}),
       true,
       VC::kHevc,
       0,
       fourcc("hvc1"),
       FT::kKey,
       PT::kCodedFrames,
       33,
       {0x26, 0x01}},
      {"ex_avc1_coded_frames_negative_cts",
       cat({{0xa1}, fcc("avc1"), {0xff, 0xff, 0xdf, 0x41}}),
       true,
       VC::kH264,
       0,
       fourcc("avc1"),
       FT::kInter,
       PT::kCodedFrames,
       -33,
       {0x41}},
      {"ex_hvc1_coded_frames_x",
       cat({{0xa3}, fcc("hvc1"), {0x02, 0x01}}),
       true,
       VC::kHevc,
       0,
       fourcc("hvc1"),
       FT::kInter,
       PT::kCodedFrames,
       0,
       {0x02, 0x01}},
      {"ex_av01_coded_frames_no_cts",
       cat({{0x91}, fcc("av01"), {0x12, 0x00, 0x0a}}),
       true,
       VC::kAv1,
       0,
       fourcc("av01"),
       FT::kKey,
       PT::kCodedFrames,
       0,
       {0x12, 0x00, 0x0a}},
      {"ex_vp09_sequence_end",
       cat({{0x92}, fcc("vp09")}),
       true,
       VC::kVp9,
       0,
       fourcc("vp09"),
       FT::kKey,
       PT::kEndOfSequence,
       0,
       {}},
      {"ex_metadata",
       cat({{0x94}, fcc("hvc1"), {0x02, 0x00, 0x01, 'x'}}),
       true,
       VC::kHevc,
       0,
       fourcc("hvc1"),
       FT::kKey,
       PT::kMetadata,
       0,
       {0x02, 0x00, 0x01, 'x'}},
      {"ex_mpeg2ts_sequence_start",
       cat({{0x95}, fcc("av01"), {0x80}}),
       true,
       VC::kAv1,
       0,
       fourcc("av01"),
       FT::kKey,
       PT::kMpeg2TsSequenceStart,
       0,
       {0x80}},
      {"ex_command_frame",
       {0xd1, 0x00},
       true,
       VC::kUnknown,
       0,
       0,
       FT::kCommand,
       PT::kCommand,
       0,
       {},
       0},
      {"ex_multitrack_one_track",
       cat({{0x96, 0x01}, fcc("hvc1"), {0x00, 0xaa}}),
       true,
       VC::kHevc,
       0,
       fourcc("hvc1"),
       FT::kKey,
       PT::kMultitrack,
       0,
       {0x00, 0xaa},
       0,
       0},
      {"ex_multitrack_many_codecs",
       {0x96, 0x21, 0x00, 'a', 'v', 'c', '1'},
       true,
       VC::kUnknown,
       0,
       0,
       FT::kKey,
       PT::kMultitrack,
       0,
       {0x00, 'a', 'v', 'c', '1'},
       0,
       2},
      {"ex_mod_ex_then_coded_frames",
       cat({{0x97, 0x00, 0x55, 0x01}, fcc("avc1"), {0x00, 0x00, 0x05, 0x65}}),
       true,
       VC::kH264,
       0,
       fourcc("avc1"),
       FT::kKey,
       PT::kCodedFrames,
       5,
       {0x65}},
      {"ex_mod_ex_16bit_size",
       cat({{0x97, 0xff, 0x01, 0x00}, big_mod_ex, {0x03}, fcc("av01"), {0x7f}}),
       true,
       VC::kAv1,
       0,
       fourcc("av01"),
       FT::kKey,
       PT::kCodedFrames,
       0,
       {0x7f}},
      {"ex_unknown_fourcc_is_not_an_error",
       cat({{0x93}, fcc("xyz1"), {0x01}}),
       true,
       VC::kUnknown,
       0,
       fourcc("xyz1"),
       FT::kKey,
       PT::kCodedFrames,
       0,
       {0x01}},
  };
}

void expect_video(const VideoGolden& g, const VideoTag& t, size_t data_len,
                  const std::string& ctx) {
  EXPECT_EQ(t.enhanced, g.enhanced) << ctx;
  EXPECT_EQ(t.codec, g.codec) << ctx;
  EXPECT_EQ(t.legacy_codec_id, g.legacy_codec_id) << ctx;
  EXPECT_EQ(t.fourcc, g.fourcc) << ctx;
  EXPECT_EQ(t.frame_type, g.frame_type) << ctx;
  EXPECT_EQ(t.packet_type, g.packet_type) << ctx;
  EXPECT_EQ(t.composition_time, g.composition_time) << ctx;
  EXPECT_EQ(t.command, g.command) << ctx;
  EXPECT_EQ(t.multitrack_type, g.multitrack_type) << ctx;
  EXPECT_EQ(Bytes(t.data.begin(), t.data.end()),
            Bytes(g.data.begin(), g.data.begin() + long(data_len)))
      << ctx;
}

TEST(FlvVideo, Golden) {
  for (const auto& g : video_goldens()) {
    auto t = parse_video(g.body);
    ASSERT_TRUE(t) << g.name << ": " << t.error().detail;
    expect_video(g, *t, g.data.size(), g.name);
    // The data is a view into the body, not a copy.
    if (!g.data.empty()) {
      EXPECT_EQ(t->data.data(), g.body.data() + (g.body.size() - g.data.size())) << g.name;
    }
  }
}

// A prefix shorter than the header fails with flv.truncated; a longer one parses to the same header
// with a shorter data view.
TEST(FlvVideo, EveryPrefix) {
  for (const auto& g : video_goldens()) {
    const size_t header = g.body.size() - g.data.size();
    for (size_t n = 0; n < g.body.size(); ++n) {
      auto t = parse_video(ByteView(g.body.data(), n));
      const std::string ctx = std::string(g.name) + " prefix " + std::to_string(n);
      if (n < header) {
        ASSERT_FALSE(t) << ctx;
        EXPECT_EQ(t.error().reason, "flv.truncated") << ctx;
      } else {
        ASSERT_TRUE(t) << ctx;
        expect_video(g, *t, n - header, ctx);
      }
    }
  }
}

TEST(FlvVideo, BadPacketTypes) {
  for (const Bytes& b :
       {Bytes{0x17, 0x03, 0x00, 0x00, 0x00}, cat({{0x98}, fcc("avc1")}), cat({{0x9f}, fcc("avc1")}),
        Bytes{0x96, 0x06, 'a', 'v', 'c', '1'}, Bytes{0x96, 0x07, 'a', 'v', 'c', '1'}}) {
    auto t = parse_video(b);
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().reason, "flv.bad_packet_type");
  }
}

TEST(FlvVideo, ModExSizeBeyondBodyIsTruncated) {
  auto t = parse_video(Bytes{0x97, 0xff, 0xff, 0xff, 0x00});
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().reason, "flv.truncated");
}

struct AudioGolden {
  const char* name;
  Bytes body;
  bool enhanced;
  AudioCodec codec;
  uint8_t sound_format;
  uint32_t fourcc;
  uint8_t rate, size, type;
  AudioPacketType packet_type;
  Bytes data;
  uint8_t multitrack_type = 0;
};

std::vector<AudioGolden> audio_goldens() {
  using AC = AudioCodec;
  using PT = AudioPacketType;
  return {
      {"aac_sequence_header",
       {0xaf, 0x00, 0x12, 0x10},
       false,
       AC::kAac,
       10,
       0,
       3,
       1,
       1,
       PT::kSequenceHeader,
       {0x12, 0x10}},
      {"aac_raw",
       {0xaf, 0x01, 0x21, 0x00, 0x49},
       false,
       AC::kAac,
       10,
       0,
       3,
       1,
       1,
       PT::kRaw,
       {0x21, 0x00, 0x49}},
      {"mp3", {0x2e, 0xff, 0xfb}, false, AC::kMp3, 2, 0, 3, 1, 0, PT::kRaw, {0xff, 0xfb}},
      {"pcm_le_mono_8bit", {0x30, 0x80}, false, AC::kPcmLe, 3, 0, 0, 0, 0, PT::kRaw, {0x80}},
      {"nellymoser_8k", {0x52, 0x01}, false, AC::kNellymoser, 5, 0, 0, 1, 0, PT::kRaw, {0x01}},
      {"g711_alaw", {0x72, 0xd5}, false, AC::kG711A, 7, 0, 0, 1, 0, PT::kRaw, {0xd5}},
      {"g711_ulaw", {0x82, 0xff}, false, AC::kG711U, 8, 0, 0, 1, 0, PT::kRaw, {0xff}},
      {"speex", {0xb6, 0x00}, false, AC::kSpeex, 11, 0, 1, 1, 0, PT::kRaw, {0x00}},
      {"mp3_8k", {0xe2, 0x00}, false, AC::kMp3_8k, 14, 0, 0, 1, 0, PT::kRaw, {0x00}},
      {"ex_mp4a_sequence_start",
       cat({{0x90}, fcc("mp4a"), {0x11, 0x90}}),
       true,
       AC::kAac,
       9,
       fourcc("mp4a"),
       0,
       0,
       0,
       PT::kSequenceHeader,
       {0x11, 0x90}},
      {"ex_opus_coded_frames",
       cat({{0x91}, fcc("Opus"), {0xfc}}),
       true,
       AC::kOpus,
       9,
       fourcc("Opus"),
       0,
       0,
       0,
       PT::kRaw,
       {0xfc}},
      {"ex_flac",
       cat({{0x91}, fcc("fLaC"), {0xff, 0xf8}}),
       true,
       AC::kFlac,
       9,
       fourcc("fLaC"),
       0,
       0,
       0,
       PT::kRaw,
       {0xff, 0xf8}},
      {"ex_ac3",
       cat({{0x91}, fcc("ac-3"), {0x0b, 0x77}}),
       true,
       AC::kAc3,
       9,
       fourcc("ac-3"),
       0,
       0,
       0,
       PT::kRaw,
       {0x0b, 0x77}},
      {"ex_eac3",
       cat({{0x91}, fcc("ec-3"), {0x0b, 0x77}}),
       true,
       AC::kEac3,
       9,
       fourcc("ec-3"),
       0,
       0,
       0,
       PT::kRaw,
       {0x0b, 0x77}},
      {"ex_mp3",
       cat({{0x91}, fcc(".mp3"), {0xff}}),
       true,
       AC::kMp3,
       9,
       fourcc(".mp3"),
       0,
       0,
       0,
       PT::kRaw,
       {0xff}},
      {"ex_sequence_end",
       cat({{0x92}, fcc("Opus")}),
       true,
       AC::kOpus,
       9,
       fourcc("Opus"),
       0,
       0,
       0,
       PT::kSequenceEnd,
       {}},
      {"ex_multichannel_config",
       cat({{0x94}, fcc("Opus"), {0x01, 0x02}}),
       true,
       AC::kOpus,
       9,
       fourcc("Opus"),
       0,
       0,
       0,
       PT::kMultichannelConfig,
       {0x01, 0x02}},
      {"ex_multitrack_one_track",
       cat({{0x95, 0x01}, fcc("Opus"), {0x00, 0xfc}}),
       true,
       AC::kOpus,
       9,
       fourcc("Opus"),
       0,
       0,
       0,
       PT::kMultitrack,
       {0x00, 0xfc},
       0},
      {"ex_multitrack_many_codecs",
       {0x95, 0x21, 0x01},
       true,
       AC::kUnknown,
       9,
       0,
       0,
       0,
       0,
       PT::kMultitrack,
       {0x01},
       2},
      {"ex_mod_ex",
       cat({{0x97, 0x01, 0xaa, 0xbb, 0x01}, fcc("mp4a"), {0x21}}),
       true,
       AC::kAac,
       9,
       fourcc("mp4a"),
       0,
       0,
       0,
       PT::kRaw,
       {0x21}},
  };
}

void expect_audio(const AudioGolden& g, const AudioTag& t, size_t data_len,
                  const std::string& ctx) {
  EXPECT_EQ(t.enhanced, g.enhanced) << ctx;
  EXPECT_EQ(t.codec, g.codec) << ctx;
  EXPECT_EQ(t.sound_format, g.sound_format) << ctx;
  EXPECT_EQ(t.fourcc, g.fourcc) << ctx;
  EXPECT_EQ(t.sound_rate, g.rate) << ctx;
  EXPECT_EQ(t.sound_size, g.size) << ctx;
  EXPECT_EQ(t.sound_type, g.type) << ctx;
  EXPECT_EQ(t.packet_type, g.packet_type) << ctx;
  EXPECT_EQ(t.multitrack_type, g.multitrack_type) << ctx;
  EXPECT_EQ(Bytes(t.data.begin(), t.data.end()),
            Bytes(g.data.begin(), g.data.begin() + long(data_len)))
      << ctx;
}

TEST(FlvAudio, Golden) {
  for (const auto& g : audio_goldens()) {
    auto t = parse_audio(g.body);
    ASSERT_TRUE(t) << g.name << ": " << t.error().detail;
    expect_audio(g, *t, g.data.size(), g.name);
  }
}

TEST(FlvAudio, EveryPrefix) {
  for (const auto& g : audio_goldens()) {
    const size_t header = g.body.size() - g.data.size();
    for (size_t n = 0; n < g.body.size(); ++n) {
      auto t = parse_audio(ByteView(g.body.data(), n));
      const std::string ctx = std::string(g.name) + " prefix " + std::to_string(n);
      if (n < header) {
        ASSERT_FALSE(t) << ctx;
        EXPECT_EQ(t.error().reason, "flv.truncated") << ctx;
      } else {
        ASSERT_TRUE(t) << ctx;
        expect_audio(g, *t, n - header, ctx);
      }
    }
  }
}

TEST(FlvAudio, BadPacketTypes) {
  for (const Bytes& b :
       {Bytes{0xaf, 0x02, 0x00}, cat({{0x93}, fcc("mp4a")}), cat({{0x96}, fcc("mp4a")}),
        cat({{0x9f}, fcc("mp4a")}), Bytes{0x95, 0x05, 'O', 'p', 'u', 's'}}) {
    auto t = parse_audio(b);
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().reason, "flv.bad_packet_type");
  }
}

TEST(Flv, FourccHelpers) {
  EXPECT_EQ(fourcc("avc1"), 0x61766331u);
  EXPECT_EQ(fourcc_to_string(fourcc("hvc1")), "hvc1");
  EXPECT_EQ(fourcc_to_string(0x00414243), "?ABC");
}

// Two sub-messages (audio at 1000 ms, video at 0x01000010 ms with the extended byte), each with
// its back pointer, as FMS-style servers produce them.
const Bytes kAggregate = {
    0x08, 0x00, 0x00, 0x02, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x01,  // audio, 2 bytes, 1000
    0xaf, 0x01,                                                        // body
    0x00, 0x00, 0x00, 0x0d,                                            // back pointer
    0x09, 0x00, 0x00, 0x03, 0x00, 0x00, 0x10, 0x01, 0x00, 0x00, 0x01,  // video, 3 bytes
    0x27, 0x01, 0x00,                                                  // body
    0x00, 0x00, 0x00, 0x0e,                                            // back pointer
};

TEST(FlvAggregate, Golden) {
  auto tags = split_aggregate(kAggregate);
  ASSERT_TRUE(tags) << tags.error().detail;
  ASSERT_EQ(tags->size(), 2u);
  EXPECT_EQ((*tags)[0].type, 8);
  EXPECT_EQ((*tags)[0].timestamp, 1000u);
  EXPECT_EQ((*tags)[0].stream_id, 1u);
  EXPECT_EQ(Bytes((*tags)[0].body.begin(), (*tags)[0].body.end()), (Bytes{0xaf, 0x01}));
  EXPECT_EQ((*tags)[1].type, 9);
  EXPECT_EQ((*tags)[1].timestamp, 0x01000010u);
  EXPECT_EQ(Bytes((*tags)[1].body.begin(), (*tags)[1].body.end()), (Bytes{0x27, 0x01, 0x00}));
}

TEST(FlvAggregate, EveryPrefix) {
  // Prefixes ending on a tag boundary (with or without the final back pointer) are valid runs.
  for (size_t n = 0; n < kAggregate.size(); ++n) {
    auto tags = split_aggregate(ByteView(kAggregate.data(), n));
    if (n == 0) {
      ASSERT_TRUE(tags);
      EXPECT_TRUE(tags->empty());
    } else if (n == 13 || n == 17) {
      ASSERT_TRUE(tags) << n;
      EXPECT_EQ(tags->size(), 1u) << n;
    } else if (n == 31) {
      ASSERT_TRUE(tags) << n;
      EXPECT_EQ(tags->size(), 2u) << n;
    } else {
      ASSERT_FALSE(tags) << n;
      EXPECT_EQ(tags.error().reason, "flv.bad_aggregate") << n;
    }
  }
}

}  // namespace
}  // namespace sg::flv
