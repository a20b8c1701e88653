// The names media rules use for codecs and profiles (config: media.video.codecs, .profiles,
// media.audio.codecs). Also what StreamStats reports.
#pragma once

#include <string>

#include "rtmp/flv.h"

namespace sg::validation {

// "h264" (legacy id 7 or FourCC avc1), "hevc", "av1", "vp9", "vp6", ...; unknown codecs are named
// by their FourCC or as "video_codec_<id>".
std::string video_codec_name(const flv::VideoTag& tag);
// Non-AAC audio: "mp3", "opus", "pcm", ...; AAC is named from its AudioSpecificConfig instead
// (AudioSpecificConfig::codec_name), this returns "aac" for it.
std::string audio_codec_name(const flv::AudioTag& tag);
// H.264 profile_idc -> "baseline", "constrained_baseline" (66 with constraint_set1_flag), "main",
// "extended", "high", "high10", "high422", "high444", "cavlc444", else "profile_<idc>".
std::string h264_profile_name(int profile_idc, bool constrained);

}  // namespace sg::validation
