#include "gateway/stage_plane.h"

#include <algorithm>

#include "rtmp/chunk.h"

namespace sg::gw {

bool is_video_sequence_header(const MediaMessage& m) {
  if (m.type != rtmp::kVideo || !m.payload || m.payload->size() < 2) return false;
  uint8_t b0 = (*m.payload)[0];
  if (b0 & 0x80) return (b0 & 0x0F) == 0;  // E-RTMP SequenceStart
  return (b0 & 0x0F) == 7 && (*m.payload)[1] == 0;
}

bool is_audio_sequence_header(const MediaMessage& m) {
  if (m.type != rtmp::kAudio || !m.payload || m.payload->size() < 2) return false;
  uint8_t b0 = (*m.payload)[0];
  if ((b0 >> 4) == 9) return (b0 & 0x0F) == 0;  // E-RTMP audio SequenceStart
  return (b0 >> 4) == 10 && (*m.payload)[1] == 0;
}

bool is_video_keyframe(const MediaMessage& m) {
  if (m.type != rtmp::kVideo || !m.payload || m.payload->empty()) return false;
  return (((*m.payload)[0] >> 4) & 0x07) == 1;
}

Broadcast* LocalStage::find(std::string_view participant_id) {
  auto it = broadcasts_.find(participant_id);
  return it == broadcasts_.end() ? nullptr : &it->second;
}

void Broadcast::publish(const MediaMessage& in) {
  if (!have_base_) {
    base_ = in.timestamp;
    have_base_ = true;
  }
  live_ = true;
  MediaMessage m = in;
  // Normalise to the stage's time base; data that arrived before the first timestamp keeps 0.
  m.timestamp = in.timestamp >= base_ ? in.timestamp - base_ : 0;

  if (m.type == rtmp::kDataAmf0) {
    metadata_ = m;
  } else if (is_video_sequence_header(m)) {
    video_header_ = m;
  } else if (is_audio_sequence_header(m)) {
    audio_header_ = m;
  } else if (is_video_keyframe(m) && seen_keyframe_) {
    gop_.clear();
    gop_.push_back(m);
  } else {
    // Until the second keyframe the cache holds everything from the start of the publish, so a
    // consumer that joins early (the relay, a player) gets every packet the encoder sent.
    seen_keyframe_ = seen_keyframe_ || is_video_keyframe(m);
    // Bounded: a GOP longer than this is not a GOP any player wants replayed.
    if (gop_.size() < 4096) gop_.push_back(m);
  }
  // Copy the list: a consumer may remove itself while being fed (e.g. a slow player dropped).
  auto consumers = consumers_;
  for (auto* c : consumers) c->on_media(m);
}

void Broadcast::replay_to(MediaConsumer* c) const {
  if (metadata_.payload) c->on_media(metadata_);
  if (video_header_.payload) c->on_media(video_header_);
  if (audio_header_.payload) c->on_media(audio_header_);
  for (const auto& m : gop_) c->on_media(m);
}

void Broadcast::add(MediaConsumer* c) {
  consumers_.push_back(c);
  if (live_) replay_to(c);
}

void Broadcast::remove(MediaConsumer* c) {
  consumers_.erase(std::remove(consumers_.begin(), consumers_.end(), c), consumers_.end());
}

void Broadcast::end() {
  live_ = false;
  have_base_ = false;
  seen_keyframe_ = false;
  metadata_ = video_header_ = audio_header_ = {};
  gop_.clear();
  auto consumers = consumers_;
  for (auto* c : consumers) c->on_broadcast_end();
}

}  // namespace sg::gw
