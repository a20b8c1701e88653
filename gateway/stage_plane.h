// The local stage's media plane: one Broadcast per publishing participant, fanned out to its
// consumers (RTMP players, the relay, later the recorder). Messages are shared, never copied per
// consumer. A new consumer gets the metadata, the sequence headers and the current GOP, so the
// first frame shows at once.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rtmp/server_session.h"

namespace sg::gw {

using rtmp::MediaMessage;

class MediaConsumer {
 public:
  virtual ~MediaConsumer() = default;
  virtual void on_media(const MediaMessage& m) = 0;
  // The broadcast ended (publisher left); the consumer stays registered for a later broadcast.
  virtual void on_broadcast_end() = 0;
};

// What a broadcast is fed: timestamps are normalised to start at 0 for the stage.
class Broadcast {
 public:
  void publish(const MediaMessage& m);
  void add(MediaConsumer* c);  // replays metadata, sequence headers and the GOP
  void remove(MediaConsumer* c);
  void end();  // the publisher left: tells consumers, clears the caches
  bool live() const { return live_; }
  size_t consumer_count() const { return consumers_.size(); }

 private:
  void replay_to(MediaConsumer* c) const;
  bool live_ = false;
  bool have_base_ = false;
  bool seen_keyframe_ = false;
  uint64_t base_ = 0;
  MediaMessage metadata_, video_header_, audio_header_;
  std::vector<MediaMessage> gop_;
  std::vector<MediaConsumer*> consumers_;
};

// Broadcasts by participant id. Consumers may wait on a participant that is not live yet.
class LocalStage {
 public:
  Broadcast& broadcast(const std::string& participant_id) { return broadcasts_[participant_id]; }
  Broadcast* find(std::string_view participant_id);

 private:
  std::map<std::string, Broadcast, std::less<>> broadcasts_;
};

// Sequence headers are recognised without parsing the codec data (exact classification is the
// validator's job): AVC/E-RTMP packet type, AAC packet type.
bool is_video_sequence_header(const MediaMessage& m);
bool is_audio_sequence_header(const MediaMessage& m);
bool is_video_keyframe(const MediaMessage& m);

}  // namespace sg::gw
