// StreamValidator on synthetic messages: each error code, grace period, duration, bitrate window,
// sticky violations. Real encoder output is replayed in validator_files_test.cpp.
#include "validation/validator.h"

#include <gtest/gtest.h>

#include <vector>

#include "tests/validation/test_media.h"

namespace sg::validation {
namespace {

using namespace sg::validation::testing;  // NOLINT
using std::chrono::milliseconds;

std::optional<ErrorCode> code(const std::optional<Violation>& v) {
  return v ? std::optional<ErrorCode>(v->code) : std::nullopt;
}

TEST(ErrorCodeNames, MatchIvs) {
  const std::vector<std::pair<ErrorCode, std::string_view>> table = {
      {ErrorCode::kInsufficientCapabilities, "INSUFFICIENT_CAPABILITIES"},
      {ErrorCode::kQuotaExceeded, "QUOTA_EXCEEDED"},
      {ErrorCode::kPublisherNotFound, "PUBLISHER_NOT_FOUND"},
      {ErrorCode::kBitrateExceeded, "BITRATE_EXCEEDED"},
      {ErrorCode::kResolutionExceeded, "RESOLUTION_EXCEEDED"},
      {ErrorCode::kStreamDurationExceeded, "STREAM_DURATION_EXCEEDED"},
      {ErrorCode::kInvalidAudioCodec, "INVALID_AUDIO_CODEC"},
      {ErrorCode::kInvalidVideoCodec, "INVALID_VIDEO_CODEC"},
      {ErrorCode::kInvalidProtocol, "INVALID_PROTOCOL"},
      {ErrorCode::kInvalidStreamKey, "INVALID_STREAM_KEY"},
      {ErrorCode::kReuseOfStreamKey, "REUSE_OF_STREAM_KEY"},
      {ErrorCode::kBFramePresent, "B_FRAME_PRESENT"},
      {ErrorCode::kInvalidInput, "INVALID_INPUT"},
      {ErrorCode::kInternalServerException, "INTERNAL_SERVER_EXCEPTION"},
  };
  for (const auto& [c, name] : table) EXPECT_EQ(to_string(c), name);
}

TEST(StreamValidator, ReadyAfterBothSequenceHeaders) {
  StreamValidator v(config::Media{});
  EXPECT_FALSE(v.ready());
  EXPECT_EQ(v.on_video(0, avc_sequence_header()), std::nullopt);
  EXPECT_FALSE(v.ready());
  EXPECT_EQ(v.on_audio(0, aac_sequence_header()), std::nullopt);
  EXPECT_TRUE(v.ready());
  EXPECT_EQ(v.stats().video_codec, "h264");
  EXPECT_EQ(v.stats().profile, 66);
  EXPECT_EQ(v.stats().profile_name, "constrained_baseline");
  EXPECT_EQ(v.stats().width, 320u);
  EXPECT_EQ(v.stats().height, 240u);
  EXPECT_EQ(v.stats().audio_codec, "aac_lc");
  EXPECT_EQ(v.stats().sample_rate, 48000u);
  EXPECT_EQ(v.stats().channels, 2u);
}

TEST(StreamValidator, GracePeriodForBothTracks) {
  config::Media rules;
  {
    StreamValidator v(rules);
    EXPECT_EQ(v.on_tick(milliseconds(5000)), std::nullopt);
    auto r = v.on_tick(milliseconds(5001));
    ASSERT_EQ(code(r), ErrorCode::kInvalidInput);
    EXPECT_NE(r->detail.find("video and audio"), std::string::npos) << r->detail;
  }
  {
    StreamValidator v(rules);
    ASSERT_EQ(v.on_audio(0, aac_sequence_header()), std::nullopt);
    auto r = v.on_tick(milliseconds(6000));
    ASSERT_EQ(code(r), ErrorCode::kInvalidInput);
    EXPECT_NE(r->detail.find("no valid video"), std::string::npos) << r->detail;
  }
  {
    StreamValidator v(rules);
    ASSERT_EQ(v.on_video(0, avc_sequence_header()), std::nullopt);
    auto r = v.on_tick(milliseconds(6000));
    ASSERT_EQ(code(r), ErrorCode::kInvalidInput);
    EXPECT_NE(r->detail.find("no valid audio"), std::string::npos) << r->detail;
  }
  {
    StreamValidator v(rules);
    ASSERT_EQ(v.on_video(0, avc_sequence_header()), std::nullopt);
    ASSERT_EQ(v.on_audio(0, aac_sequence_header()), std::nullopt);
    EXPECT_EQ(v.on_tick(milliseconds(60000)), std::nullopt);
  }
}

TEST(StreamValidator, Duration) {
  config::Media rules;
  rules.max_duration = milliseconds(10000);
  StreamValidator v(rules);
  ASSERT_EQ(v.on_video(0, avc_sequence_header()), std::nullopt);
  ASSERT_EQ(v.on_audio(0, aac_sequence_header()), std::nullopt);
  EXPECT_EQ(v.on_tick(milliseconds(10000)), std::nullopt);
  EXPECT_EQ(code(v.on_tick(milliseconds(10001))), ErrorCode::kStreamDurationExceeded);
}

TEST(StreamValidator, DefaultDurationIs24Hours) {
  StreamValidator v(config::Media{});
  ASSERT_EQ(v.on_video(0, avc_sequence_header()), std::nullopt);
  ASSERT_EQ(v.on_audio(0, aac_sequence_header()), std::nullopt);
  EXPECT_EQ(v.on_tick(milliseconds(24LL * 3600 * 1000)), std::nullopt);
  EXPECT_EQ(code(v.on_tick(milliseconds(24LL * 3600 * 1000 + 1))),
            ErrorCode::kStreamDurationExceeded);
}

TEST(StreamValidator, ViolationsAreSticky) {
  StreamValidator v(config::Media{});
  ASSERT_EQ(v.on_video(0, avc_sequence_header()), std::nullopt);
  auto first = v.on_audio(0, aac_sequence_header({0x2B, 0x11, 0x88}));  // HE-AAC
  ASSERT_EQ(code(first), ErrorCode::kInvalidAudioCodec);
  auto again = v.on_audio(10, aac_sequence_header());
  ASSERT_EQ(code(again), ErrorCode::kInvalidAudioCodec);
  EXPECT_EQ(again->detail, first->detail);
  EXPECT_EQ(code(v.on_tick(milliseconds(1))), ErrorCode::kInvalidAudioCodec);
  EXPECT_FALSE(v.ready());
}

struct AudioCase {
  const char* name;
  std::vector<uint8_t> body;
  std::optional<ErrorCode> expected;
  const char* codec;
};

TEST(StreamValidator, AudioCodecRules) {
  const std::vector<AudioCase> cases = {
      {"aac_lc_48k_stereo", aac_sequence_header(), std::nullopt, "aac_lc"},
      {"aac_lc_44k_mono", aac_sequence_header({0x12, 0x08}), std::nullopt, "aac_lc"},
      {"he_aac", aac_sequence_header({0x2B, 0x11, 0x88}), ErrorCode::kInvalidAudioCodec, "he_aac"},
      {"he_aac_v2", aac_sequence_header({0xEB, 0x09, 0x88}), ErrorCode::kInvalidAudioCodec,
       "he_aac_v2"},
      {"he_aac_backward_compatible", aac_sequence_header({0x13, 0x10, 0x56, 0xE5, 0x98}),
       ErrorCode::kInvalidAudioCodec, "he_aac"},
      {"aac_main", aac_sequence_header({0x0A, 0x10}), ErrorCode::kInvalidAudioCodec, "aac_ot1"},
      {"six_channels", aac_sequence_header({0x11, 0xB0}), ErrorCode::kInvalidAudioCodec, "aac_lc"},
      {"pce_channels", aac_sequence_header({0x11, 0x80}), ErrorCode::kInvalidAudioCodec, "aac_lc"},
      {"22050_hz", aac_sequence_header({0x13, 0x90}), ErrorCode::kInvalidAudioCodec, "aac_lc"},
      {"mp3", {0x2F, 0xFF, 0xFB, 0x90, 0x00}, ErrorCode::kInvalidAudioCodec, ""},
      {"speex", {0xB2, 0x00, 0x00}, ErrorCode::kInvalidAudioCodec, ""},
      {"ertmp_mp4a", ertmp_audio("mp4a", 0, kAscLc48kStereo), std::nullopt, "aac_lc"},
      {"ertmp_opus", ertmp_audio("Opus", 0, {'O', 'p', 'u', 's', 'H', 'e', 'a', 'd'}),
       ErrorCode::kInvalidAudioCodec, ""},
      {"asc_truncated", aac_sequence_header({0x12}), ErrorCode::kInvalidInput, ""},
      {"aac_frame_first", aac_frame(100), ErrorCode::kInvalidInput, ""},
      {"empty_body", {}, ErrorCode::kInvalidInput, ""},
  };
  for (const AudioCase& c : cases) {
    SCOPED_TRACE(c.name);
    StreamValidator v(config::Media{});
    auto r = v.on_audio(0, c.body);
    EXPECT_EQ(code(r), c.expected) << (r ? r->detail : "");
    if (*c.codec) {
      EXPECT_EQ(v.stats().audio_codec, c.codec);
    }
  }
}

TEST(StreamValidator, AllowedNonAacCodecNeedsNoSequenceHeader) {
  config::Media rules;
  rules.audio.codecs.push_back("mp3");
  StreamValidator v(rules);
  EXPECT_EQ(v.on_audio(0, std::vector<uint8_t>{0x2F, 0xFF, 0xFB, 0x90, 0x00}), std::nullopt);
  EXPECT_EQ(v.stats().audio_codec, "mp3");
  EXPECT_EQ(v.on_video(0, avc_sequence_header()), std::nullopt);
  EXPECT_TRUE(v.ready());
}

TEST(StreamValidator, VideoCodecAndSequenceHeaderRules) {
  // A one-byte SPS body: the record's framing is fine, libavcodec cannot read the SPS.
  const std::vector<uint8_t> short_sps = {0x01, 0x42, 0xC0, 0x0D, 0xFF, 0xE1, 0x00, 0x02, 0x67,
                                          0x42, 0x01, 0x00, 0x04, 0x68, 0xCE, 0x3C, 0x80};
  const std::vector<AudioCase> cases = {
      {"avc_legacy", avc_sequence_header(), std::nullopt, "h264"},
      {"avc1_enhanced", ertmp_video("avc1", true, 0, kBaselineAvcc), std::nullopt, "h264"},
      {"hevc_enhanced", ertmp_video("hvc1", true, 0, {0x01, 0x01}), ErrorCode::kInvalidVideoCodec,
       "hevc"},
      {"av1_enhanced", ertmp_video("av01", true, 0, {0x81, 0x00}), ErrorCode::kInvalidVideoCodec,
       "av1"},
      {"vp9_enhanced", ertmp_video("vp09", true, 0, {0x01, 0x00}), ErrorCode::kInvalidVideoCodec,
       "vp9"},
      {"hevc_frames_first", ertmp_video("hvc1", true, 1, {0, 0, 0, 0, 0, 0, 1, 0x26}),
       ErrorCode::kInvalidVideoCodec, ""},
      {"h263_legacy", {0x12, 0x00, 0x00}, ErrorCode::kInvalidVideoCodec, ""},
      {"vp6_legacy", {0x14, 0x00, 0x00}, ErrorCode::kInvalidVideoCodec, ""},
      {"avcc_too_short", avc_sequence_header({0x01, 0x42, 0xC0}), ErrorCode::kInvalidInput, ""},
      {"avcc_empty", avc_sequence_header({}), ErrorCode::kInvalidInput, ""},
      {"sps_unreadable", avc_sequence_header(short_sps), ErrorCode::kInvalidInput, ""},
      {"frame_before_sequence_header", avc_filler_frame(10), ErrorCode::kInvalidInput, ""},
      {"multitrack", {0x96, 0x00, 'a', 'v', 'c', '1'}, ErrorCode::kInvalidInput, ""},
  };
  for (const AudioCase& c : cases) {
    SCOPED_TRACE(c.name);
    StreamValidator v(config::Media{});
    auto r = v.on_video(0, c.body);
    EXPECT_EQ(code(r), c.expected) << (r ? r->detail : "");
    if (*c.codec) {
      EXPECT_EQ(v.stats().video_codec, c.codec);
    }
  }
}

TEST(StreamValidator, BaselineWithoutConstraintSet1) {
  // Clear constraint_set1 in both the avcC and the SPS: plain Baseline.
  std::vector<uint8_t> avcc = kBaselineAvcc;
  avcc[2] = 0x80;
  avcc[10] = 0x80;
  StreamValidator ok(config::Media{});
  ASSERT_EQ(ok.on_video(0, avc_sequence_header(avcc)), std::nullopt);
  EXPECT_EQ(ok.stats().profile_name, "baseline");

  config::Media only_constrained;
  only_constrained.video.profiles = {"constrained_baseline"};
  StreamValidator refused(only_constrained);
  EXPECT_EQ(code(refused.on_video(0, avc_sequence_header(avcc))), ErrorCode::kInvalidVideoCodec);
  // ... while a Constrained Baseline stream is accepted by a "baseline"-only rule.
  config::Media only_baseline;
  only_baseline.video.profiles = {"baseline"};
  StreamValidator subset(only_baseline);
  EXPECT_EQ(subset.on_video(0, avc_sequence_header()), std::nullopt);
}

TEST(StreamValidator, AllowedNonH264CodecIsNotInspected) {
  config::Media rules;
  rules.video.codecs.push_back("hevc");
  StreamValidator v(rules);
  EXPECT_EQ(v.on_video(0, ertmp_video("hvc1", true, 0, {0x01})), std::nullopt);
  EXPECT_EQ(v.stats().video_codec, "hevc");
  // A codec change after the sequence header is refused.
  EXPECT_EQ(code(v.on_video(0, avc_sequence_header())), ErrorCode::kInvalidInput);
}

TEST(StreamValidator, TruncatedNalUnitIsInvalidInput) {
  StreamValidator v(config::Media{});
  ASSERT_EQ(v.on_video(0, avc_sequence_header()), std::nullopt);
  std::vector<uint8_t> frame = avc_filler_frame(10);
  frame.pop_back();
  EXPECT_EQ(code(v.on_video(33, frame)), ErrorCode::kInvalidInput);
}

TEST(StreamValidator, SliceNamingUnknownPpsIsInvalidInput) {
  StreamValidator v(config::Media{});
  ASSERT_EQ(v.on_video(0, avc_sequence_header()), std::nullopt);
  // IDR slice header: first_mb 0, slice_type 7, pps id 5 (ue 00110): no such PPS.
  std::vector<uint8_t> nalus = {0, 0, 0, 4, 0x65, 0x88, 0x30, 0x00};
  EXPECT_EQ(code(v.on_video(0, avc_tag(true, 1, 0, nalus))), ErrorCode::kInvalidInput);
}

// Video frames of `bytes` every 1000/30 ms from `from_ms` for `ms` of media time.
std::optional<Violation> feed_video(StreamValidator& v, uint64_t from_ms, uint64_t ms,
                                    size_t bytes) {
  for (uint64_t n = 0; n * 1000 / 30 < ms; ++n) {
    if (auto r = v.on_video(from_ms + n * 1000 / 30, avc_filler_frame(bytes))) return r;
  }
  return std::nullopt;
}

TEST(StreamValidator, SustainedVideoOverRateIsBitrateExceeded) {
  config::Media rules;
  rules.video.max_bitrate_kbps = 100;  // limit 110 kbit/s with 10 % tolerance
  {
    StreamValidator v(rules);
    ASSERT_EQ(v.on_video(0, avc_sequence_header()), std::nullopt);
    // 400 bytes per frame at 30 fps: about 100 kbit/s, within the tolerance.
    EXPECT_EQ(feed_video(v, 0, 5000, 400), std::nullopt);
  }
  {
    StreamValidator v(rules);
    ASSERT_EQ(v.on_video(0, avc_sequence_header()), std::nullopt);
    // 500 bytes per frame: about 125 kbit/s; tripped once the 2 s window is full.
    auto r = feed_video(v, 0, 5000, 500);
    ASSERT_EQ(code(r), ErrorCode::kBitrateExceeded);
    EXPECT_GE(v.stats().video_kbps, 110u);
  }
}

TEST(StreamValidator, BurstAtStartDoesNotTripBeforeTheWindowIsFull) {
  config::Media rules;
  rules.audio.max_bitrate_kbps = 160;
  StreamValidator v(rules);
  ASSERT_EQ(v.on_audio(0, aac_sequence_header()), std::nullopt);
  // 10 kB in the first 100 ms: 800 kbit/s over that 100 ms, but only 40 kbit/s over 2 s.
  for (uint64_t t = 0; t < 100; t += 20) ASSERT_EQ(v.on_audio(t, aac_frame(2000)), std::nullopt);
  // Then 120 kbit/s: a full window holding the burst is about 160 kbit/s, within the limit.
  for (uint64_t t = 100; t <= 4000; t += 20) {
    ASSERT_EQ(v.on_audio(t, aac_frame(300)), std::nullopt) << t;  // 120 kbit/s
  }
}

TEST(StreamValidator, BurstAfterNetworkStallIsNotAViolation) {
  config::Media rules;
  rules.audio.max_bitrate_kbps = 160;
  StreamValidator v(rules);
  ASSERT_EQ(v.on_audio(0, aac_sequence_header()), std::nullopt);
  // 3 s at 120 kbit/s; then the network stalls for 4 s and 4 s of queued frames arrive at once
  // with their original timestamps; then live again. The validator sees media time only, so the
  // burst has its real rate.
  for (uint64_t t = 0; t < 3000; t += 20) ASSERT_EQ(v.on_audio(t, aac_frame(300)), std::nullopt);
  for (uint64_t t = 3000; t < 7000; t += 20) ASSERT_EQ(v.on_audio(t, aac_frame(300)), std::nullopt);
  for (uint64_t t = 7000; t < 9000; t += 20) ASSERT_EQ(v.on_audio(t, aac_frame(300)), std::nullopt);
  EXPECT_NEAR(double(v.stats().audio_kbps), 120.0, 5.0);
}

TEST(StreamValidator, SustainedAudioOverRateIsBitrateExceeded) {
  config::Media rules;
  StreamValidator v(rules);  // default 160 kbit/s, limit 176
  ASSERT_EQ(v.on_audio(0, aac_sequence_header()), std::nullopt);
  std::optional<Violation> r;
  uint64_t t = 0;
  for (; t < 5000 && !r; t += 20) r = v.on_audio(t, aac_frame(500));  // 200 kbit/s
  ASSERT_EQ(code(r), ErrorCode::kBitrateExceeded);
  EXPECT_GE(t, 2000u);  // not before the window is full
}

TEST(StreamValidator, MediaTimeGapRestartsTheRate) {
  config::Media rules;
  rules.audio.max_bitrate_kbps = 160;
  StreamValidator v(rules);
  ASSERT_EQ(v.on_audio(0, aac_sequence_header()), std::nullopt);
  for (uint64_t t = 0; t < 3000; t += 20) ASSERT_EQ(v.on_audio(t, aac_frame(300)), std::nullopt);
  // A 10 s gap in media time (encoder paused): the window empties and refills normally.
  for (uint64_t t = 13000; t < 16000; t += 20) {
    ASSERT_EQ(v.on_audio(t, aac_frame(300)), std::nullopt);
  }
}

}  // namespace
}  // namespace sg::validation
