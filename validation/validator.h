// Media policy for one publish: codec, profile, B-frames, resolution, bitrate, track presence,
// duration (shared/SPEC.md section 5). Sans-I/O: fed FLV tag bodies with unwrapped timestamps, it
// answers with the first violation; the gateway disconnects the encoder and records the code.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"
#include "rtmp/bytes.h"

namespace sg::validation {

// The participant-event error codes (IVS EventErrorCode) stagegate produces.
enum class ErrorCode {
  kInsufficientCapabilities,
  kQuotaExceeded,
  kPublisherNotFound,
  kBitrateExceeded,
  kResolutionExceeded,
  kStreamDurationExceeded,
  kInvalidAudioCodec,
  kInvalidVideoCodec,
  kInvalidProtocol,
  kInvalidStreamKey,
  kReuseOfStreamKey,
  kBFramePresent,
  kInvalidInput,
  kInternalServerException,
};
std::string_view to_string(ErrorCode code);  // "B_FRAME_PRESENT", ...

struct Violation {
  ErrorCode code;
  std::string detail;  // e.g. "video profile High (100) not allowed"
};

// What has been measured so far (reported in logs and metrics; fps and IDR interval are enforced
// only when configured).
struct StreamStats {
  std::string video_codec;   // "h264", "hevc", ...
  int profile = -1;          // H.264 profile_idc
  std::string profile_name;  // "constrained_baseline", "high", ... (validation/codec_names.h)
  uint32_t width = 0, height = 0;
  double fps = 0;
  uint32_t idr_interval_ms = 0;
  std::string audio_codec;  // "aac_lc", "he_aac", "mp3", ...
  uint32_t sample_rate = 0, channels = 0;
  uint32_t video_kbps = 0, audio_kbps = 0;  // over the sliding window
  // A non-zero FLV composition time was seen. Recorded only: B-frames are judged from slice types.
  bool nonzero_composition_time = false;
  uint64_t video_frames = 0, b_frames = 0;  // coded video frames seen, and those with B slices
};

class StreamValidator {
 public:
  explicit StreamValidator(const config::Media& rules);
  ~StreamValidator();
  StreamValidator(const StreamValidator&) = delete;
  StreamValidator& operator=(const StreamValidator&) = delete;

  // Each call inspects one RTMP audio/video message body (FLV tag body incl. the 1..5 byte FLV
  // header, legacy or Enhanced RTMP). Returns the first violation, if any.
  std::optional<Violation> on_video(uint64_t timestamp_ms, ByteView body);
  std::optional<Violation> on_audio(uint64_t timestamp_ms, ByteView body);
  // Wall-clock time since the publish was accepted: grace period for both tracks, max duration.
  std::optional<Violation> on_tick(std::chrono::milliseconds since_publish);
  // Violations are sticky: after the first one every call returns it again (the encoder is being
  // disconnected; nothing after it is judged).

  // Both tracks have a valid sequence header: media may flow to the stage (PUBLISH_STARTED).
  bool ready() const;
  const StreamStats& stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sg::validation
