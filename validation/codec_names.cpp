#include "validation/codec_names.h"

namespace sg::validation {

std::string video_codec_name(const flv::VideoTag& tag) {
  switch (tag.codec) {
    case flv::VideoCodec::kH264:
      return "h264";
    case flv::VideoCodec::kHevc:
      return "hevc";
    case flv::VideoCodec::kAv1:
      return "av1";
    case flv::VideoCodec::kVp9:
      return "vp9";
    case flv::VideoCodec::kH263:
      return "h263";
    case flv::VideoCodec::kScreen:
      return "screen";
    case flv::VideoCodec::kVp6:
      return "vp6";
    case flv::VideoCodec::kVp6Alpha:
      return "vp6a";
    case flv::VideoCodec::kScreen2:
      return "screen2";
    case flv::VideoCodec::kUnknown:
      break;
  }
  if (tag.enhanced) return flv::fourcc_to_string(tag.fourcc);
  return "video_codec_" + std::to_string(tag.legacy_codec_id);
}

std::string audio_codec_name(const flv::AudioTag& tag) {
  switch (tag.codec) {
    case flv::AudioCodec::kAac:
      return "aac";
    case flv::AudioCodec::kMp3:
    case flv::AudioCodec::kMp3_8k:
      return "mp3";
    case flv::AudioCodec::kPcm:
      return "pcm";
    case flv::AudioCodec::kAdpcm:
      return "adpcm";
    case flv::AudioCodec::kPcmLe:
      return "pcm_le";
    case flv::AudioCodec::kNellymoser:
      return "nellymoser";
    case flv::AudioCodec::kG711A:
      return "g711a";
    case flv::AudioCodec::kG711U:
      return "g711u";
    case flv::AudioCodec::kSpeex:
      return "speex";
    case flv::AudioCodec::kOpus:
      return "opus";
    case flv::AudioCodec::kFlac:
      return "flac";
    case flv::AudioCodec::kAc3:
      return "ac3";
    case flv::AudioCodec::kEac3:
      return "eac3";
    case flv::AudioCodec::kUnknown:
      break;
  }
  if (tag.enhanced) return flv::fourcc_to_string(tag.fourcc);
  return "sound_format_" + std::to_string(tag.sound_format);
}

std::string h264_profile_name(int profile_idc, bool constrained) {
  switch (profile_idc) {
    case 66:
      return constrained ? "constrained_baseline" : "baseline";
    case 77:
      return "main";
    case 88:
      return "extended";
    case 100:
      return "high";
    case 110:
      return "high10";
    case 122:
      return "high422";
    case 244:
      return "high444";
    case 44:
      return "cavlc444";
  }
  return "profile_" + std::to_string(profile_idc);
}

}  // namespace sg::validation
