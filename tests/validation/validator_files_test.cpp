// StreamValidator on real encoder output: the FLV files in data/ were made by ffmpeg (libx264,
// libx265, aac, libmp3lame) with data/make_data.sh.
#include <gtest/gtest.h>

#include <functional>

#include "tests/validation/flv_file.h"
#include "validation/validator.h"

namespace sg::validation {
namespace {

using testing::data_path;
using testing::FlvTag;
using testing::read_flv_file;

struct Replay {
  std::optional<Violation> violation;
  size_t tags_fed = 0;
  bool ready_before_first_frame = false;
};

// Feeds a file's audio/video tags in file order, stopping at the first violation. `edit` may
// rewrite each tag first.
Replay replay(StreamValidator& v, const std::string& file,
              const std::function<void(FlvTag&)>& edit = nullptr) {
  std::vector<FlvTag> tags = read_flv_file(data_path(file));
  EXPECT_GT(tags.size(), 5u) << file << " missing or empty";
  Replay r;
  for (FlvTag& t : tags) {
    if (edit) edit(t);
    if (t.type == 9) {
      r.violation = v.on_video(t.timestamp, t.body);
    } else if (t.type == 8) {
      r.violation = v.on_audio(t.timestamp, t.body);
    } else {
      continue;
    }
    ++r.tags_fed;
    if (r.violation) break;
  }
  return r;
}

std::optional<ErrorCode> code(const Replay& r) {
  return r.violation ? std::optional<ErrorCode>(r.violation->code) : std::nullopt;
}

TEST(ValidatorFiles, CompliantBaselinePasses) {
  StreamValidator v(config::Media{});
  Replay r = replay(v, "baseline_320x240.flv");
  ASSERT_EQ(code(r), std::nullopt) << r.violation->detail;
  EXPECT_TRUE(v.ready());
  const StreamStats& s = v.stats();
  EXPECT_EQ(s.video_codec, "h264");
  EXPECT_EQ(s.profile, 66);
  EXPECT_EQ(s.profile_name, "constrained_baseline");
  EXPECT_EQ(s.width, 320u);
  EXPECT_EQ(s.height, 240u);
  EXPECT_NEAR(s.fps, 30.0, 0.5);
  EXPECT_EQ(s.idr_interval_ms, 1000u);  // -g 30 at 30 fps
  EXPECT_EQ(s.audio_codec, "aac_lc");
  EXPECT_EQ(s.sample_rate, 48000u);
  EXPECT_EQ(s.channels, 2u);
  EXPECT_EQ(s.video_frames, 90u);
  EXPECT_EQ(s.b_frames, 0u);
  EXPECT_FALSE(s.nonzero_composition_time);
  EXPECT_GT(s.video_kbps, 50u);
  EXPECT_LT(s.video_kbps, 400u);
  EXPECT_GT(s.audio_kbps, 50u);
  EXPECT_LT(s.audio_kbps, 160u);
}

TEST(ValidatorFiles, HighProfileIsRefused) {
  StreamValidator v(config::Media{});
  Replay r = replay(v, "high_bframes_320x240.flv");
  ASSERT_EQ(code(r), ErrorCode::kInvalidVideoCodec);
  EXPECT_EQ(v.stats().profile, 100);
  EXPECT_NE(r.violation->detail.find("high"), std::string::npos) << r.violation->detail;
}

TEST(ValidatorFiles, BFramesDetectedFromSliceTypes) {
  config::Media rules;
  rules.video.profiles.push_back("high");
  StreamValidator v(rules);
  Replay r = replay(v, "high_bframes_320x240.flv");
  ASSERT_EQ(code(r), ErrorCode::kBFramePresent);
  EXPECT_EQ(v.stats().b_frames, 1u);
}

TEST(ValidatorFiles, BFramesDetectedEvenWithZeroCompositionTime) {
  config::Media rules;
  rules.video.profiles.push_back("high");
  StreamValidator v(rules);
  // Zero every composition time: only the slice types can tell.
  Replay r = replay(v, "high_bframes_320x240.flv", [](FlvTag& t) {
    if (t.type == 9 && t.body.size() >= 5 && t.body[1] == 1) t.body[2] = t.body[3] = t.body[4] = 0;
  });
  ASSERT_EQ(code(r), ErrorCode::kBFramePresent);
  EXPECT_FALSE(v.stats().nonzero_composition_time);
}

TEST(ValidatorFiles, BFramesAllowedWhenConfigured) {
  config::Media rules;
  rules.video.profiles.push_back("high");
  rules.video.b_frames = "allow";
  StreamValidator v(rules);
  Replay r = replay(v, "high_bframes_320x240.flv");
  ASSERT_EQ(code(r), std::nullopt) << r.violation->detail;
  EXPECT_GT(v.stats().b_frames, 10u);
  EXPECT_TRUE(v.stats().nonzero_composition_time);
}

TEST(ValidatorFiles, NonZeroCompositionTimeAloneIsNotABFrame) {
  StreamValidator v(config::Media{});
  Replay r = replay(v, "baseline_320x240.flv", [](FlvTag& t) {
    if (t.type == 9 && t.body.size() >= 5 && t.body[1] == 1) t.body[4] = 40;
  });
  ASSERT_EQ(code(r), std::nullopt) << r.violation->detail;
  EXPECT_TRUE(v.stats().nonzero_composition_time);
}

TEST(ValidatorFiles, MainProfile) {
  {
    StreamValidator v(config::Media{});
    EXPECT_EQ(code(replay(v, "main_320x240.flv")), ErrorCode::kInvalidVideoCodec);
    EXPECT_EQ(v.stats().profile_name, "main");
  }
  config::Media rules;
  rules.video.profiles.push_back("main");
  StreamValidator v(rules);
  Replay r = replay(v, "main_320x240.flv");
  EXPECT_EQ(code(r), std::nullopt) << r.violation->detail;
  EXPECT_EQ(v.stats().b_frames, 0u);
}

TEST(ValidatorFiles, Resolutions) {
  struct Case {
    const char* file;
    std::optional<ErrorCode> expected;
    uint32_t width, height;
  };
  const std::vector<Case> cases = {
      {"baseline_1280x720.flv", std::nullopt, 1280, 720},  // SPS codes 1280x736 plus cropping
      {"baseline_720x1280.flv", std::nullopt, 720, 1280},  // portrait
      {"baseline_1920x1080.flv", ErrorCode::kResolutionExceeded, 1920, 1080},
      {"baseline_128x96.flv", ErrorCode::kInvalidInput, 128, 96},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    StreamValidator v(config::Media{});
    Replay r = replay(v, c.file);
    EXPECT_EQ(code(r), c.expected) << (r.violation ? r.violation->detail : "");
    EXPECT_EQ(v.stats().width, c.width);
    EXPECT_EQ(v.stats().height, c.height);
    // Resolution is judged on the sequence header: the very first video tag.
    if (c.expected) {
      EXPECT_LE(r.tags_fed, 2u);
    }
  }
}

TEST(ValidatorFiles, ResolutionLimitsAreConfigurable) {
  config::Media rules;
  rules.video.max_short_side = 1080;
  rules.video.max_long_side = 1920;
  StreamValidator v(rules);
  EXPECT_EQ(code(replay(v, "baseline_1920x1080.flv")), std::nullopt);
}

TEST(ValidatorFiles, AudioCodecs) {
  struct Case {
    const char* file;
    const char* codec;
    uint32_t sample_rate, channels;
  };
  const std::vector<Case> cases = {
      {"mp3_audio.flv", "mp3", 0, 0},
      {"aac_6ch.flv", "aac_lc", 48000, 6},
      {"aac_22050.flv", "aac_lc", 22050, 2},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    StreamValidator v(config::Media{});
    EXPECT_EQ(code(replay(v, c.file)), ErrorCode::kInvalidAudioCodec);
    EXPECT_EQ(v.stats().audio_codec, c.codec);
    EXPECT_EQ(v.stats().sample_rate, c.sample_rate);
    EXPECT_EQ(v.stats().channels, c.channels);
  }
}

TEST(ValidatorFiles, HevcOverEnhancedRtmpIsRefused) {
  StreamValidator v(config::Media{});
  Replay r = replay(v, "hevc_ertmp.flv");
  ASSERT_EQ(code(r), ErrorCode::kInvalidVideoCodec);
  EXPECT_EQ(r.tags_fed, 1u);
  EXPECT_EQ(v.stats().video_codec, "hevc");
}

// The compliant file rewritten as Enhanced RTMP (FourCC avc1): same verdict, same facts.
TEST(ValidatorFiles, H264OverEnhancedRtmpPasses) {
  StreamValidator v(config::Media{});
  Replay r = replay(v, "baseline_320x240.flv", [](FlvTag& t) {
    if (t.type != 9 || t.body.size() < 5) return;
    uint8_t frame_type = t.body[0] >> 4;
    uint8_t packet_type = t.body[1];  // 0 sequence start, 1 coded frames (with CTS), 2 end
    std::vector<uint8_t> b = {uint8_t(0x80 | frame_type << 4 | packet_type), 'a', 'v', 'c', '1'};
    size_t skip = packet_type == 1 ? 2 : 5;  // keep the composition time for coded frames
    b.insert(b.end(), t.body.begin() + long(skip), t.body.end());
    t.body = std::move(b);
  });
  ASSERT_EQ(code(r), std::nullopt) << r.violation->detail;
  EXPECT_TRUE(v.ready());
  EXPECT_EQ(v.stats().video_frames, 90u);
  EXPECT_EQ(v.stats().width, 320u);
}

TEST(ValidatorFiles, CodedFramesBeforeSequenceHeader) {
  StreamValidator v(config::Media{});
  Replay r = replay(v, "baseline_320x240.flv", [](FlvTag& t) {
    if (t.type == 9 && t.body.size() > 1 && t.body[1] == 0) t.type = 0;  // drop it
  });
  ASSERT_EQ(code(r), ErrorCode::kInvalidInput);
}

TEST(ValidatorFiles, TruncatedFrameIsInvalidInput) {
  StreamValidator v(config::Media{});
  int frames = 0;
  Replay r = replay(v, "baseline_320x240.flv", [&](FlvTag& t) {
    if (t.type == 9 && t.body[1] == 1 && ++frames == 10) t.body.resize(t.body.size() - 3);
  });
  ASSERT_EQ(code(r), ErrorCode::kInvalidInput);
}

TEST(ValidatorFiles, RealBitrateAgainstLowLimits) {
  {
    config::Media rules;
    rules.video.max_bitrate_kbps = 50;
    StreamValidator v(rules);
    Replay r = replay(v, "baseline_320x240.flv");
    ASSERT_EQ(code(r), ErrorCode::kBitrateExceeded);
    EXPECT_NE(r.violation->detail.find("video"), std::string::npos);
  }
  {
    config::Media rules;
    rules.audio.max_bitrate_kbps = 50;
    StreamValidator v(rules);
    Replay r = replay(v, "baseline_320x240.flv");
    ASSERT_EQ(code(r), ErrorCode::kBitrateExceeded);
    EXPECT_NE(r.violation->detail.find("audio"), std::string::npos);
  }
}

TEST(ValidatorFiles, FpsEnforcedOnlyWhenConfigured) {
  config::Media rules;
  rules.video.min_fps = 40;  // the file is 30 fps
  {
    StreamValidator v(rules);
    EXPECT_EQ(code(replay(v, "baseline_320x240.flv")), std::nullopt);
  }
  rules.video.enforce_fps = true;
  StreamValidator v(rules);
  EXPECT_EQ(code(replay(v, "baseline_320x240.flv")), ErrorCode::kInvalidInput);
  rules.video.min_fps = 10;
  StreamValidator ok(rules);
  EXPECT_EQ(code(replay(ok, "baseline_320x240.flv")), std::nullopt);
}

TEST(ValidatorFiles, IdrIntervalEnforcedOnlyWhenConfigured) {
  config::Media rules;
  rules.video.min_idr_interval_ms = 1500;  // the file has an IDR every 1000 ms
  {
    StreamValidator v(rules);
    EXPECT_EQ(code(replay(v, "baseline_320x240.flv")), std::nullopt);
  }
  rules.video.enforce_idr_interval = true;
  StreamValidator v(rules);
  EXPECT_EQ(code(replay(v, "baseline_320x240.flv")), ErrorCode::kInvalidInput);
  rules.video.min_idr_interval_ms = 1000;
  StreamValidator ok(rules);
  EXPECT_EQ(code(replay(ok, "baseline_320x240.flv")), std::nullopt);
  // Too long: max 500 ms.
  rules.video.min_idr_interval_ms = 100;
  rules.video.max_idr_interval_ms = 500;
  StreamValidator too_long(rules);
  EXPECT_EQ(code(replay(too_long, "baseline_320x240.flv")), ErrorCode::kInvalidInput);
}

}  // namespace
}  // namespace sg::validation
