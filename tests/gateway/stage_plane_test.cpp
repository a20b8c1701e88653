// The local stage's media plane: shared payloads, timestamp normalisation, the GOP cache replayed
// to late consumers, end of broadcast, and the header/keyframe classification it relies on.
#include "gateway/stage_plane.h"

#include <gtest/gtest.h>

#include <vector>

#include "rtmp/chunk.h"

namespace sg::gw {
namespace {

MediaMessage msg(uint8_t type, uint64_t ts, std::vector<uint8_t> bytes) {
  return MediaMessage{type, ts, make_payload(std::move(bytes))};
}
// Legacy FLV tags: AVC (codec 7) and AAC (sound format 10).
MediaMessage metadata(uint64_t ts) {
  return msg(rtmp::kDataAmf0, ts, {0x02, 0x00, 0x0a});
}
MediaMessage avc_header(uint64_t ts) {
  return msg(rtmp::kVideo, ts, {0x17, 0x00, 0, 0, 0, 1});
}
MediaMessage avc_key(uint64_t ts) {
  return msg(rtmp::kVideo, ts, {0x17, 0x01, 0, 0, 0, 0x65});
}
MediaMessage avc_inter(uint64_t ts) {
  return msg(rtmp::kVideo, ts, {0x27, 0x01, 0, 0, 0, 0x41});
}
MediaMessage aac_header(uint64_t ts) {
  return msg(rtmp::kAudio, ts, {0xaf, 0x00, 0x12, 0x10});
}
MediaMessage aac_raw(uint64_t ts) {
  return msg(rtmp::kAudio, ts, {0xaf, 0x01, 0x21});
}

// Records what it was fed (the messages themselves, so payload identity can be compared).
class Recorder : public MediaConsumer {
 public:
  void on_media(const MediaMessage& m) override { got.push_back(m); }
  void on_broadcast_end() override { ++ends; }
  std::vector<MediaMessage> got;
  int ends = 0;
};

// Expects `got` to be exactly `want`, message by message (same payload object, same timestamp).
void expect_same(const std::vector<MediaMessage>& got, const std::vector<MediaMessage>& want,
                 const std::vector<uint64_t>& want_ts) {
  ASSERT_EQ(got.size(), want.size());
  ASSERT_EQ(want_ts.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(got[i].type, want[i].type);
    EXPECT_EQ(got[i].payload.get(), want[i].payload.get());
    EXPECT_EQ(got[i].timestamp, want_ts[i]);
  }
}

TEST(BroadcastTest, ConsumersShareThePayloadWithoutCopy) {
  Broadcast b;
  Recorder r1, r2;
  b.add(&r1);
  b.add(&r2);
  auto m = avc_key(100);
  b.publish(m);
  ASSERT_EQ(r1.got.size(), 1u);
  ASSERT_EQ(r2.got.size(), 1u);
  EXPECT_EQ(r1.got[0].payload.get(), m.payload.get());
  EXPECT_EQ(r2.got[0].payload.get(), m.payload.get());
  EXPECT_TRUE(b.live());
  EXPECT_EQ(b.consumer_count(), 2u);
}

TEST(BroadcastTest, TimestampsStartAtZero) {
  Broadcast b;
  Recorder r;
  b.add(&r);
  b.publish(metadata(5000));
  b.publish(avc_header(5000));
  b.publish(avc_key(5033));
  b.publish(aac_raw(5040));
  b.publish(avc_inter(4000));  // earlier than the first message: clamped at 0
  b.publish(avc_inter(10000));
  std::vector<uint64_t> ts;
  for (const auto& m : r.got) ts.push_back(m.timestamp);
  EXPECT_EQ(ts, (std::vector<uint64_t>{0, 0, 33, 40, 0, 5000}));
}

TEST(BroadcastTest, LateConsumerGetsHeadersAndTheCurrentGop) {
  Broadcast b;
  std::vector<MediaMessage> in = {
      metadata(1000),  avc_header(1000), aac_header(1000), aac_raw(1010),   avc_key(1020),
      avc_inter(1053), aac_raw(1060),    avc_key(1086),    avc_inter(1120), aac_raw(1130),
  };
  for (const auto& m : in) b.publish(m);
  Recorder late;
  b.add(&late);
  // Metadata, video header, audio header, then everything since the last keyframe.
  expect_same(late.got, {in[0], in[1], in[2], in[7], in[8], in[9]}, {0, 0, 0, 86, 120, 130});
  // It then follows the live stream.
  auto next = avc_inter(1150);
  b.publish(next);
  ASSERT_EQ(late.got.size(), 7u);
  EXPECT_EQ(late.got.back().payload.get(), next.payload.get());
  EXPECT_EQ(late.got.back().timestamp, 150u);
}

TEST(BroadcastTest, EarlyConsumerGetsEverythingSinceTheStartBeforeTheSecondKeyframe) {
  Broadcast b;
  // Media before the first keyframe (audio, even a leading inter frame) is kept too.
  std::vector<MediaMessage> in = {
      avc_header(0), aac_header(0), aac_raw(10), avc_inter(15),
      avc_key(20),   avc_inter(53), aac_raw(60),
  };
  for (const auto& m : in) b.publish(m);
  Recorder r;
  b.add(&r);
  expect_same(r.got, {in[0], in[1], in[2], in[3], in[4], in[5], in[6]}, {0, 0, 10, 15, 20, 53, 60});
}

TEST(BroadcastTest, ReplayPutsHeadersFirstAndKeepsTheLatestHeaders) {
  Broadcast b;
  auto first_header = avc_header(0);
  b.publish(aac_raw(0));
  b.publish(first_header);
  auto meta = metadata(5);
  b.publish(meta);
  auto new_header = avc_header(10);  // a new sequence header replaces the old one
  b.publish(new_header);
  auto ah = aac_header(12);
  b.publish(ah);
  Recorder r;
  b.add(&r);
  ASSERT_EQ(r.got.size(), 4u);
  EXPECT_EQ(r.got[0].payload.get(), meta.payload.get());
  EXPECT_EQ(r.got[1].payload.get(), new_header.payload.get());
  EXPECT_EQ(r.got[2].payload.get(), ah.payload.get());
  EXPECT_EQ(r.got[3].type, rtmp::kAudio);  // the raw audio frame of the cache
  EXPECT_FALSE(is_audio_sequence_header(r.got[3]));
}

TEST(BroadcastTest, GopCacheIsBounded) {
  Broadcast b;
  b.publish(avc_key(0));
  for (int i = 1; i < 5000; ++i) b.publish(avc_inter(i));
  Recorder r;
  b.add(&r);
  EXPECT_EQ(r.got.size(), 4096u);
}

TEST(BroadcastTest, EndNotifiesConsumersAndClearsTheCaches) {
  Broadcast b;
  Recorder r;
  b.add(&r);
  b.publish(metadata(500));
  b.publish(avc_header(500));
  b.publish(aac_header(500));
  b.publish(avc_key(500));
  b.end();
  EXPECT_EQ(r.ends, 1);
  EXPECT_FALSE(b.live());
  EXPECT_EQ(b.consumer_count(), 1u);  // stays registered for a later broadcast

  Recorder after_end;
  b.add(&after_end);
  EXPECT_TRUE(after_end.got.empty());

  // A new broadcast rebases timestamps and starts from an empty cache.
  r.got.clear();
  b.publish(avc_key(9000));
  b.publish(avc_inter(9040));
  ASSERT_EQ(r.got.size(), 2u);
  EXPECT_EQ(r.got[0].timestamp, 0u);
  EXPECT_EQ(r.got[1].timestamp, 40u);
  Recorder late;
  b.add(&late);
  ASSERT_EQ(late.got.size(), 2u);  // no stale metadata or headers from the first broadcast
  EXPECT_TRUE(is_video_keyframe(late.got[0]));
}

// Removes itself from the broadcast the first time it is fed.
class SelfRemover : public MediaConsumer {
 public:
  explicit SelfRemover(Broadcast& b) : b_(b) {}
  void on_media(const MediaMessage&) override {
    ++calls;
    b_.remove(this);
  }
  void on_broadcast_end() override {}
  int calls = 0;

 private:
  Broadcast& b_;
};

TEST(BroadcastTest, ConsumerMayRemoveItselfDuringOnMedia) {
  Broadcast b;
  // Two consumers after the one that leaves: iterating the live list would skip one of them and
  // feed the other twice.
  Recorder before, after1, after2;
  SelfRemover remover(b);
  b.add(&before);
  b.add(&remover);
  b.add(&after1);
  b.add(&after2);
  b.publish(avc_key(0));
  EXPECT_EQ(remover.calls, 1);
  EXPECT_EQ(before.got.size(), 1u);
  EXPECT_EQ(after1.got.size(), 1u);
  EXPECT_EQ(after2.got.size(), 1u);
  EXPECT_EQ(b.consumer_count(), 3u);
  b.publish(avc_inter(40));
  EXPECT_EQ(remover.calls, 1);
  EXPECT_EQ(before.got.size(), 2u);
  EXPECT_EQ(after1.got.size(), 2u);
  EXPECT_EQ(after2.got.size(), 2u);
}

TEST(BroadcastTest, RemovedConsumerGetsNothingMore) {
  Broadcast b;
  Recorder r;
  b.add(&r);
  b.publish(avc_key(0));
  b.remove(&r);
  b.publish(avc_inter(40));
  b.end();
  EXPECT_EQ(r.got.size(), 1u);
  EXPECT_EQ(r.ends, 0);
  EXPECT_EQ(b.consumer_count(), 0u);
}

TEST(LocalStageTest, BroadcastsByParticipant) {
  LocalStage stage;
  EXPECT_EQ(stage.find("p1"), nullptr);
  Broadcast& b1 = stage.broadcast("p1");
  EXPECT_EQ(stage.find("p1"), &b1);
  EXPECT_EQ(&stage.broadcast("p1"), &b1);
  EXPECT_NE(&stage.broadcast("p2"), &b1);
  EXPECT_EQ(stage.find("p3"), nullptr);
}

struct ClassCase {
  const char* name;
  uint8_t type;
  std::vector<uint8_t> bytes;
  bool video_header, audio_header, keyframe;
};

TEST(StagePlaneClassifyTest, Table) {
  const ClassCase cases[] = {
      // Legacy AVC: frame type << 4 | codec 7, then AVCPacketType.
      {"avc seq header", rtmp::kVideo, {0x17, 0x00, 0, 0, 0}, true, false, true},
      {"avc key nalu", rtmp::kVideo, {0x17, 0x01, 0, 0, 0}, false, false, true},
      {"avc inter nalu", rtmp::kVideo, {0x27, 0x01, 0, 0, 0}, false, false, false},
      {"avc end of seq", rtmp::kVideo, {0x17, 0x02, 0, 0, 0}, false, false, true},
      {"sorenson key (codec 2)", rtmp::kVideo, {0x12, 0x00}, false, false, true},
      {"avc 1 byte", rtmp::kVideo, {0x17}, false, false, true},
      {"empty video", rtmp::kVideo, {}, false, false, false},
      // E-RTMP: IsExHeader | frame type << 4 | packet type, then the FourCC.
      {"ertmp hvc1 SequenceStart", rtmp::kVideo, {0x90, 'h', 'v', 'c', '1'}, true, false, true},
      {"ertmp hvc1 CodedFrames key", rtmp::kVideo, {0x91, 'h', 'v', 'c', '1'}, false, false, true},
      {"ertmp av01 CodedFramesX inter",
       rtmp::kVideo,
       {0xa3, 'a', 'v', '0', '1'},
       false,
       false,
       false},
      {"ertmp SequenceEnd", rtmp::kVideo, {0x92, 'h', 'v', 'c', '1'}, false, false, true},
      // Legacy AAC: sound format 10, then AACPacketType.
      {"aac seq header", rtmp::kAudio, {0xaf, 0x00, 0x12, 0x10}, false, true, false},
      {"aac raw", rtmp::kAudio, {0xaf, 0x01, 0x21}, false, false, false},
      {"mp3", rtmp::kAudio, {0x2f, 0x00}, false, false, false},
      {"aac 1 byte", rtmp::kAudio, {0xaf}, false, false, false},
      // E-RTMP audio: sound format 9 (ExHeader), packet type 0 = SequenceStart.
      {"ertmp audio SequenceStart", rtmp::kAudio, {0x90, 'O', 'p', 'u', 's'}, false, true, false},
      {"ertmp audio CodedFrames", rtmp::kAudio, {0x91, 'O', 'p', 'u', 's'}, false, false, false},
      // The message type decides which classifier applies.
      {"avc header bytes as audio", rtmp::kAudio, {0x17, 0x00}, false, false, false},
      {"aac header bytes as video", rtmp::kVideo, {0xaf, 0x00}, false, false, false},
      {"avc header bytes as data", rtmp::kDataAmf0, {0x17, 0x00}, false, false, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto m = msg(c.type, 0, c.bytes);
    EXPECT_EQ(is_video_sequence_header(m), c.video_header);
    EXPECT_EQ(is_audio_sequence_header(m), c.audio_header);
    EXPECT_EQ(is_video_keyframe(m), c.keyframe);
  }
}

TEST(StagePlaneClassifyTest, NullPayloadIsNothing) {
  for (uint8_t type : {rtmp::kVideo, rtmp::kAudio}) {
    MediaMessage m{type, 0, nullptr};
    EXPECT_FALSE(is_video_sequence_header(m));
    EXPECT_FALSE(is_audio_sequence_header(m));
    EXPECT_FALSE(is_video_keyframe(m));
  }
}

}  // namespace
}  // namespace sg::gw
