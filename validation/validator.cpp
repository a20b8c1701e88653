#include "validation/validator.h"

#include <algorithm>
#include <string>

#include "rtmp/flv.h"
#include "validation/aac_config.h"
#include "validation/avc_config.h"
#include "validation/bitrate_window.h"
#include "validation/codec_names.h"
#include "validation/h264_parser.h"

namespace sg::validation {
namespace {

// FLV timestamps are whole milliseconds: a 2 s GOP at 29.97 fps spans 2002 ms. The IDR interval
// bounds get this much slack so that rounding alone never trips them.
constexpr uint64_t kIdrSlackMs = 50;

template <class T>
bool contains(const std::vector<T>& list, const T& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

Violation violation(ErrorCode code, std::string detail) {
  return {code, std::move(detail)};
}

std::string dims(uint32_t w, uint32_t h) {
  return std::to_string(w) + "x" + std::to_string(h);
}

}  // namespace

struct StreamValidator::Impl {
  explicit Impl(const config::Media& r)
      : rules(r),
        video_rate(r.bitrate_window),
        audio_rate(r.bitrate_window),
        frame_times(r.bitrate_window) {}

  std::optional<Violation> fail(Violation v) {
    failed = std::move(v);
    return failed;
  }

  std::optional<Violation> video(uint64_t ts, ByteView body);
  std::optional<Violation> video_sequence_header(const flv::VideoTag& tag, const std::string& name);
  std::optional<Violation> video_frame(uint64_t ts, const flv::VideoTag& tag);
  std::optional<Violation> check_format(const H264Format& format);
  std::optional<Violation> audio(uint64_t ts, ByteView body);
  std::optional<Violation> audio_sequence_header(const flv::AudioTag& tag);
  std::optional<Violation> check_bitrate(const BitrateWindow& window, uint32_t max_kbps,
                                         const char* track);

  config::Media rules;  // a copy: the validator may outlive a reloaded configuration
  StreamStats stats;
  std::optional<Violation> failed;
  bool video_ready = false, audio_ready = false;
  bool video_is_h264 = false;
  H264Parser h264;
  H264Format format;
  BitrateWindow video_rate, audio_rate;
  BitrateWindow frame_times;  // one "byte" per coded frame: the frame rate over the window
  std::optional<uint64_t> last_idr_ms;
};

std::optional<Violation> StreamValidator::Impl::check_bitrate(const BitrateWindow& window,
                                                              uint32_t max_kbps,
                                                              const char* track) {
  if (!window.filled()) return std::nullopt;
  double limit = max_kbps * (1.0 + rules.bitrate_tolerance);
  if (double(window.kbps()) <= limit) return std::nullopt;
  return fail(violation(ErrorCode::kBitrateExceeded,
                        std::string(track) + " bitrate " + std::to_string(window.kbps()) +
                            " kbps over " + std::to_string(rules.bitrate_window.count()) +
                            " ms exceeds " + std::to_string(max_kbps) + " kbps"));
}

std::optional<Violation> StreamValidator::Impl::check_format(const H264Format& f) {
  const config::VideoRules& v = rules.video;
  std::string profile = h264_profile_name(f.profile_idc, f.constrained);
  stats.profile = f.profile_idc;
  stats.profile_name = profile;
  stats.width = f.width;
  stats.height = f.height;
  // Constrained Baseline streams are also conforming Baseline streams (H.264 A.2.1.1), so allowing
  // "baseline" allows them too; x264's "baseline" always sets constraint_set1.
  bool allowed = contains(v.profiles, profile) || (profile == "constrained_baseline" &&
                                                   contains(v.profiles, std::string("baseline")));
  if (!allowed) {
    return fail(violation(
        ErrorCode::kInvalidVideoCodec,
        "video profile " + profile + " (" + std::to_string(f.profile_idc) + ") not allowed"));
  }
  uint32_t short_side = std::min(f.width, f.height), long_side = std::max(f.width, f.height);
  if (short_side > v.max_short_side || long_side > v.max_long_side) {
    return fail(violation(ErrorCode::kResolutionExceeded,
                          "resolution " + dims(f.width, f.height) + " exceeds short side " +
                              std::to_string(v.max_short_side) + " / long side " +
                              std::to_string(v.max_long_side)));
  }
  if (short_side < v.min_short_side) {
    return fail(violation(ErrorCode::kInvalidInput, "resolution " + dims(f.width, f.height) +
                                                        " below short side " +
                                                        std::to_string(v.min_short_side)));
  }
  format = f;
  return std::nullopt;
}

std::optional<Violation> StreamValidator::Impl::video_sequence_header(const flv::VideoTag& tag,
                                                                      const std::string& name) {
  stats.video_codec = name;
  video_ready = false;
  if (tag.codec != flv::VideoCodec::kH264) {
    // A codec the operator allowed but stagegate cannot inspect: accepted as is.
    video_is_h264 = false;
    video_ready = true;
    return std::nullopt;
  }
  video_is_h264 = true;
  Result<AvcConfig> config = parse_avc_config(tag.data);
  if (!config) {
    return fail(violation(ErrorCode::kInvalidInput, "bad AVC sequence header (" +
                                                        std::string(config.error().reason) +
                                                        "): " + config.error().detail));
  }
  Result<H264Format> f = h264.configure(*config, tag.data);
  if (!f) {
    return fail(violation(
        ErrorCode::kInvalidInput,
        "bad AVC sequence header (" + std::string(f.error().reason) + "): " + f.error().detail));
  }
  if (auto v = check_format(*f)) return v;
  video_ready = true;
  return std::nullopt;
}

std::optional<Violation> StreamValidator::Impl::video_frame(uint64_t ts, const flv::VideoTag& tag) {
  if (!video_ready) {
    return fail(violation(ErrorCode::kInvalidInput, "coded video before a valid sequence header"));
  }
  if (!video_is_h264) return std::nullopt;
  if (tag.composition_time != 0) stats.nonzero_composition_time = true;
  Result<H264Frame> frame = h264.parse_frame(tag.data);
  if (!frame) {
    return fail(violation(
        ErrorCode::kInvalidInput,
        "bad H.264 frame (" + std::string(frame.error().reason) + "): " + frame.error().detail));
  }
  if (!frame->has_slice) return std::nullopt;  // e.g. only SEI or parameter sets
  ++stats.video_frames;
  if (frame->b_slice) {
    ++stats.b_frames;
    if (rules.video.b_frames != "allow") {
      return fail(violation(ErrorCode::kBFramePresent,
                            "B slice in the frame at " + std::to_string(ts) + " ms"));
    }
  }
  // An in-band SPS may change profile or size mid-stream.
  if (!(frame->format == format)) {
    if (auto v = check_format(frame->format)) return v;
  }

  const config::VideoRules& v = rules.video;
  frame_times.add(ts, 1);
  if (frame_times.span_ms() > 0) {
    stats.fps = double(frame_times.count() - 1) * 1000.0 / double(frame_times.span_ms());
  }
  if (v.enforce_fps && frame_times.filled() && (stats.fps < v.min_fps || stats.fps > v.max_fps)) {
    return fail(violation(ErrorCode::kInvalidInput,
                          "frame rate " + std::to_string(stats.fps) + " fps outside " +
                              std::to_string(v.min_fps) + ".." + std::to_string(v.max_fps)));
  }
  if (frame->idr) {
    if (last_idr_ms && ts >= *last_idr_ms) {
      stats.idr_interval_ms = uint32_t(ts - *last_idr_ms);
      if (v.enforce_idr_interval && (stats.idr_interval_ms + kIdrSlackMs < v.min_idr_interval_ms ||
                                     stats.idr_interval_ms > v.max_idr_interval_ms + kIdrSlackMs)) {
        return fail(violation(ErrorCode::kInvalidInput,
                              "IDR interval " + std::to_string(stats.idr_interval_ms) +
                                  " ms outside " + std::to_string(v.min_idr_interval_ms) + ".." +
                                  std::to_string(v.max_idr_interval_ms)));
      }
    }
    last_idr_ms = ts;
  } else if (v.enforce_idr_interval && last_idr_ms &&
             ts > *last_idr_ms + v.max_idr_interval_ms + kIdrSlackMs) {
    return fail(violation(ErrorCode::kInvalidInput,
                          "no IDR frame for " + std::to_string(ts - *last_idr_ms) + " ms"));
  }
  return std::nullopt;
}

std::optional<Violation> StreamValidator::Impl::video(uint64_t ts, ByteView body) {
  Result<flv::VideoTag> tag = flv::parse_video(body);
  if (!tag) {
    return fail(violation(
        ErrorCode::kInvalidInput,
        "bad video tag (" + std::string(tag.error().reason) + "): " + tag.error().detail));
  }
  video_rate.add(ts, body.size());
  stats.video_kbps = uint32_t(video_rate.kbps());

  std::optional<Violation> v;
  switch (tag->packet_type) {
    case flv::VideoPacketType::kSequenceHeader:
    case flv::VideoPacketType::kCodedFrames: {
      std::string name = video_codec_name(*tag);
      if (!contains(rules.video.codecs, name)) {
        stats.video_codec = name;
        return fail(
            violation(ErrorCode::kInvalidVideoCodec, "video codec " + name + " not allowed"));
      }
      if (video_ready && name != stats.video_codec) {
        return fail(violation(ErrorCode::kInvalidInput,
                              "video codec changed from " + stats.video_codec + " to " + name));
      }
      v = tag->packet_type == flv::VideoPacketType::kSequenceHeader
              ? video_sequence_header(*tag, name)
              : video_frame(ts, *tag);
      break;
    }
    case flv::VideoPacketType::kMultitrack:
      return fail(violation(ErrorCode::kInvalidInput, "E-RTMP multitrack video is not supported"));
    case flv::VideoPacketType::kEndOfSequence:
    case flv::VideoPacketType::kMetadata:
    case flv::VideoPacketType::kMpeg2TsSequenceStart:
    case flv::VideoPacketType::kCommand:
      break;  // carry no pictures
  }
  if (v) return v;
  return check_bitrate(video_rate, rules.video.max_bitrate_kbps, "video");
}

std::optional<Violation> StreamValidator::Impl::audio_sequence_header(const flv::AudioTag& tag) {
  audio_ready = false;
  Result<AudioSpecificConfig> asc = parse_audio_specific_config(tag.data);
  if (!asc) {
    return fail(violation(ErrorCode::kInvalidInput, "bad AAC sequence header (" +
                                                        std::string(asc.error().reason) +
                                                        "): " + asc.error().detail));
  }
  const config::AudioRules& a = rules.audio;
  stats.audio_codec = asc->codec_name();
  stats.sample_rate = asc->sample_rate;
  stats.channels = asc->channels;
  if (!contains(a.codecs, stats.audio_codec)) {
    return fail(violation(ErrorCode::kInvalidAudioCodec,
                          "audio codec " + stats.audio_codec + " (object type " +
                              std::to_string(asc->object_type) + ") not allowed"));
  }
  if (asc->channels < 1 || asc->channels > a.max_channels) {
    return fail(violation(ErrorCode::kInvalidAudioCodec,
                          "audio channel configuration " + std::to_string(asc->channel_config) +
                              " (" + std::to_string(asc->channels) + " channels) not allowed"));
  }
  if (!contains(a.sample_rates, asc->sample_rate)) {
    return fail(
        violation(ErrorCode::kInvalidAudioCodec,
                  "audio sample rate " + std::to_string(asc->sample_rate) + " Hz not allowed"));
  }
  audio_ready = true;
  return std::nullopt;
}

std::optional<Violation> StreamValidator::Impl::audio(uint64_t ts, ByteView body) {
  Result<flv::AudioTag> tag = flv::parse_audio(body);
  if (!tag) {
    return fail(violation(
        ErrorCode::kInvalidInput,
        "bad audio tag (" + std::string(tag.error().reason) + "): " + tag.error().detail));
  }
  audio_rate.add(ts, body.size());
  stats.audio_kbps = uint32_t(audio_rate.kbps());

  std::optional<Violation> v;
  if (tag->packet_type == flv::AudioPacketType::kMultitrack) {
    return fail(violation(ErrorCode::kInvalidInput, "E-RTMP multitrack audio is not supported"));
  }
  if (tag->codec != flv::AudioCodec::kAac) {
    // Codecs without a sequence header: the tag itself decides.
    std::string name = audio_codec_name(*tag);
    stats.audio_codec = name;
    if (!contains(rules.audio.codecs, name)) {
      return fail(violation(ErrorCode::kInvalidAudioCodec, "audio codec " + name + " not allowed"));
    }
    audio_ready = true;
  } else if (tag->packet_type == flv::AudioPacketType::kSequenceHeader) {
    v = audio_sequence_header(*tag);
  } else if (tag->packet_type == flv::AudioPacketType::kRaw && !audio_ready) {
    return fail(violation(ErrorCode::kInvalidInput, "AAC frame before a valid sequence header"));
  }
  if (v) return v;
  return check_bitrate(audio_rate, rules.audio.max_bitrate_kbps, "audio");
}

StreamValidator::StreamValidator(const config::Media& rules)
    : impl_(std::make_unique<Impl>(rules)) {}
StreamValidator::~StreamValidator() = default;

std::optional<Violation> StreamValidator::on_video(uint64_t timestamp_ms, ByteView body) {
  if (impl_->failed) return impl_->failed;
  return impl_->video(timestamp_ms, body);
}

std::optional<Violation> StreamValidator::on_audio(uint64_t timestamp_ms, ByteView body) {
  if (impl_->failed) return impl_->failed;
  return impl_->audio(timestamp_ms, body);
}

std::optional<Violation> StreamValidator::on_tick(std::chrono::milliseconds since_publish) {
  if (impl_->failed) return impl_->failed;
  const config::Media& r = impl_->rules;
  if (since_publish > r.max_duration) {
    return impl_->fail(
        violation(ErrorCode::kStreamDurationExceeded,
                  "publish longer than " + std::to_string(r.max_duration.count()) + " ms"));
  }
  if (since_publish > r.track_grace && (!impl_->video_ready || !impl_->audio_ready)) {
    std::string missing = !impl_->video_ready && !impl_->audio_ready ? "video and audio"
                          : !impl_->video_ready                      ? "video"
                                                                     : "audio";
    return impl_->fail(
        violation(ErrorCode::kInvalidInput, "no valid " + missing + " sequence header within " +
                                                std::to_string(r.track_grace.count()) + " ms"));
  }
  return std::nullopt;
}

bool StreamValidator::ready() const {
  return !impl_->failed && impl_->video_ready && impl_->audio_ready;
}

const StreamStats& StreamValidator::stats() const {
  return impl_->stats;
}

}  // namespace sg::validation
