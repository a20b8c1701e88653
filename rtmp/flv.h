// FLV audio/video tag bodies as carried in RTMP audio (8) and video (9) messages, legacy and
// Enhanced RTMP (E-RTMP v1/v2: ExHeader bit, FourCC, packet types, multitrack). Parsing only reads
// headers and returns views into the body; it never copies media.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rtmp/bytes.h"
#include "rtmp/status.h"

namespace sg::flv {

// FourCC as a big-endian 32-bit value, e.g. fourcc("avc1").
constexpr uint32_t fourcc(const char (&s)[5]) {
  return uint32_t(uint8_t(s[0])) << 24 | uint32_t(uint8_t(s[1])) << 16 |
         uint32_t(uint8_t(s[2])) << 8 | uint32_t(uint8_t(s[3]));
}
std::string fourcc_to_string(uint32_t fcc);

enum class VideoCodec {
  kUnknown,
  kH263,
  kScreen,
  kVp6,
  kVp6Alpha,
  kScreen2,
  kH264,
  kHevc,
  kAv1,
  kVp9
};
enum class VideoFrameType : uint8_t {
  kKey = 1,
  kInter = 2,
  kDisposable = 3,
  kGenerated = 4,
  kCommand = 5
};
enum class VideoPacketType {
  kSequenceHeader,  // AVCDecoderConfigurationRecord / hvcC / av1C / vpcC
  kCodedFrames,     // NALUs (legacy AVC packet type 1, E-RTMP CodedFrames / CodedFramesX)
  kEndOfSequence,
  kMetadata,    // E-RTMP PacketTypeMetadata
  kMultitrack,  // E-RTMP v2 multitrack wrapper (tracks are not unpacked here)
  kMpeg2TsSequenceStart,
  kCommand,  // frame type 5: video info/command frame, no payload
};

struct VideoTag {
  bool enhanced = false;  // E-RTMP ExHeader bit set
  VideoCodec codec = VideoCodec::kUnknown;
  uint8_t legacy_codec_id = 0;  // low nibble of byte 0 when !enhanced
  uint32_t fourcc = 0;          // when enhanced
  VideoFrameType frame_type = VideoFrameType::kInter;
  VideoPacketType packet_type = VideoPacketType::kCodedFrames;
  int32_t composition_time = 0;  // ms, signed 24-bit (0 for CodedFramesX)
  uint8_t command = 0;           // kCommand: the video command / info byte
  uint8_t multitrack_type = 0;   // kMultitrack: 0 OneTrack, 1 ManyTracks, 2 ManyTracksManyCodecs
  ByteView data;                 // config record or length-prefixed NAL units, a view into the body
};

enum class AudioCodec {
  kUnknown,
  kPcm,
  kAdpcm,
  kMp3,
  kPcmLe,
  kNellymoser,
  kG711A,
  kG711U,
  kAac,
  kSpeex,
  kMp3_8k,
  kOpus,
  kFlac,
  kAc3,
  kEac3
};
enum class AudioPacketType {
  kSequenceHeader,
  kRaw,
  kMultichannelConfig,
  kMultitrack,
  kSequenceEnd
};

struct AudioTag {
  bool enhanced = false;  // sound format 9 (E-RTMP ExAudioTagHeader)
  AudioCodec codec = AudioCodec::kUnknown;
  uint8_t sound_format = 0;  // high nibble of byte 0
  uint32_t fourcc = 0;
  uint8_t sound_rate = 0, sound_size = 0, sound_type = 0;  // legacy header fields
  AudioPacketType packet_type = AudioPacketType::kRaw;
  uint8_t multitrack_type = 0;  // kMultitrack: as VideoTag::multitrack_type
  ByteView data;                // AudioSpecificConfig for AAC sequence headers, else the frame
};

// Reason ids: flv.truncated, flv.bad_packet_type. E-RTMP ModEx prefixes are skipped; multitrack
// bodies are reported as kMultitrack with the FourCC (unless ManyTracksManyCodecs) and the track
// data left in `data`. Legacy codec id 12 (HEVC, as ffmpeg and SRS send it) is read like AVC.
Result<VideoTag> parse_video(ByteView body);
Result<AudioTag> parse_audio(ByteView body);

// One FLV tag inside an RTMP aggregate message (type 22).
struct AggregateTag {
  uint8_t type = 0;        // 8 audio, 9 video, 18 data
  uint32_t timestamp = 0;  // 24 bits + extended 8 bits
  uint32_t stream_id = 0;
  ByteView body;  // a view into the aggregate body
};
// Splits an aggregate body: a run of [11-byte tag header, body, 4-byte back pointer]. The back
// pointer's value is not checked (encoders disagree) and may be missing after the last tag.
// Reason id flv.bad_aggregate.
Result<std::vector<AggregateTag>> split_aggregate(ByteView body);

}  // namespace sg::flv
