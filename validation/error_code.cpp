#include "validation/validator.h"

namespace sg::validation {

// The spellings are the IVS EventErrorCode enum values; events and metrics carry them verbatim.
std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInsufficientCapabilities:
      return "INSUFFICIENT_CAPABILITIES";
    case ErrorCode::kQuotaExceeded:
      return "QUOTA_EXCEEDED";
    case ErrorCode::kPublisherNotFound:
      return "PUBLISHER_NOT_FOUND";
    case ErrorCode::kBitrateExceeded:
      return "BITRATE_EXCEEDED";
    case ErrorCode::kResolutionExceeded:
      return "RESOLUTION_EXCEEDED";
    case ErrorCode::kStreamDurationExceeded:
      return "STREAM_DURATION_EXCEEDED";
    case ErrorCode::kInvalidAudioCodec:
      return "INVALID_AUDIO_CODEC";
    case ErrorCode::kInvalidVideoCodec:
      return "INVALID_VIDEO_CODEC";
    case ErrorCode::kInvalidProtocol:
      return "INVALID_PROTOCOL";
    case ErrorCode::kInvalidStreamKey:
      return "INVALID_STREAM_KEY";
    case ErrorCode::kReuseOfStreamKey:
      return "REUSE_OF_STREAM_KEY";
    case ErrorCode::kBFramePresent:
      return "B_FRAME_PRESENT";
    case ErrorCode::kInvalidInput:
      return "INVALID_INPUT";
    case ErrorCode::kInternalServerException:
      return "INTERNAL_SERVER_EXCEPTION";
  }
  return "INTERNAL_SERVER_EXCEPTION";
}

}  // namespace sg::validation
