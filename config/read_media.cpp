// media: the rules of SPEC 5 that the validator enforces.
#include <array>
#include <limits>

#include "config/sections.h"

namespace sg::config {
namespace {

using std::chrono::milliseconds;
using namespace std::literals;

constexpr uint32_t kMaxU32 = std::numeric_limits<uint32_t>::max();

void read_video(MapReader& media, VideoRules& v) {
  static constexpr std::array<std::string_view, 13> kKeys{"codecs",
                                                          "profiles",
                                                          "max_bitrate_kbps",
                                                          "b_frames",
                                                          "min_short_side",
                                                          "max_short_side",
                                                          "max_long_side",
                                                          "min_fps",
                                                          "max_fps",
                                                          "enforce_fps",
                                                          "min_idr_interval",
                                                          "max_idr_interval",
                                                          "enforce_idr_interval"};
  static constexpr std::array<std::string_view, 4> kCodecs{"h264", "hevc", "av1", "vp9"};
  static constexpr std::array<std::string_view, 8> kProfiles{
      "baseline", "constrained_baseline", "main", "extended", "high", "high10", "high422",
      "high444"};
  static constexpr std::array<std::string_view, 2> kBFrames{"reject", "allow"};
  MapReader m = media.child("video", kKeys);
  m.read_enum_list("codecs", v.codecs, kCodecs);
  m.read_enum_list("profiles", v.profiles, kProfiles);
  m.read_u32("max_bitrate_kbps", v.max_bitrate_kbps, 1, 10'000'000);
  m.read_enum("b_frames", v.b_frames, kBFrames);
  // 16384 is the largest frame dimension any of the accepted codecs' levels allows.
  m.read_u32("min_short_side", v.min_short_side, 1, 16384);
  m.read_u32("max_short_side", v.max_short_side, 1, 16384);
  m.read_u32("max_long_side", v.max_long_side, 1, 16384);
  if (v.min_short_side > v.max_short_side) {
    m.error_at("min_short_side", "'media.video.min_short_side' (" +
                                     std::to_string(v.min_short_side) +
                                     ") is larger than 'media.video.max_short_side' (" +
                                     std::to_string(v.max_short_side) + ")");
  }
  if (v.max_short_side > v.max_long_side) {
    m.error_at("max_short_side", "'media.video.max_short_side' (" +
                                     std::to_string(v.max_short_side) +
                                     ") is larger than 'media.video.max_long_side' (" +
                                     std::to_string(v.max_long_side) + ")");
  }
  m.read_double("min_fps", v.min_fps, 0.001, 1000);
  m.read_double("max_fps", v.max_fps, 0.001, 1000);
  if (v.min_fps > v.max_fps) {
    m.error_at("min_fps", "'media.video.min_fps' is larger than 'media.video.max_fps'");
  }
  m.read_bool("enforce_fps", v.enforce_fps);
  m.read_duration_ms("min_idr_interval", v.min_idr_interval_ms, 1, kMaxU32);
  m.read_duration_ms("max_idr_interval", v.max_idr_interval_ms, 1, kMaxU32);
  if (v.min_idr_interval_ms > v.max_idr_interval_ms) {
    m.error_at("min_idr_interval",
               "'media.video.min_idr_interval' is longer than 'media.video.max_idr_interval'");
  }
  m.read_bool("enforce_idr_interval", v.enforce_idr_interval);
}

void read_audio(MapReader& media, AudioRules& a) {
  static constexpr std::array<std::string_view, 4> kKeys{"codecs", "sample_rates", "max_channels",
                                                         "max_bitrate_kbps"};
  static constexpr std::array<std::string_view, 5> kCodecs{"aac_lc", "he_aac", "he_aac_v2", "mp3",
                                                           "opus"};
  MapReader m = media.child("audio", kKeys);
  m.read_enum_list("codecs", a.codecs, kCodecs);
  m.read_u32_list("sample_rates", a.sample_rates, 8000, 192000);
  m.read_u32("max_channels", a.max_channels, 1, 8);
  m.read_u32("max_bitrate_kbps", a.max_bitrate_kbps, 1, 10'000'000);
}

}  // namespace

void read_media(MapReader& top, Media& out) {
  static constexpr std::array<std::string_view, 6> kKeys{
      "max_duration", "bitrate_window", "bitrate_tolerance", "track_grace", "video", "audio"};
  MapReader m = top.child("media", kKeys);
  m.read_duration("max_duration", out.max_duration, 1ms, 24h * 366);
  // The window is measured in media time; below 100 ms it would trip on single keyframes.
  m.read_duration("bitrate_window", out.bitrate_window, 100ms, 10min);
  m.read_double("bitrate_tolerance", out.bitrate_tolerance, 0, 1);
  m.read_duration("track_grace", out.track_grace, 1ms, 1h);
  read_video(m, out.video);
  read_audio(m, out.audio);
}

}  // namespace sg::config
