#include "gateway/event_hub.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace sg::gw {

void EventHub::subscribe(const std::string& stage_id, std::shared_ptr<HttpEventStream> stream) {
  // A comment line first, so the client sees the stream is open before any event happens.
  if (!stream->write(": stagegate events for stage " + stage_id + "\n\n")) return;
  streams_[stage_id].push_back(std::move(stream));
}

void EventHub::publish(const ParticipantEvent& e) {
  auto it = streams_.find(e.stage_id);
  if (it == streams_.end()) return;
  nlohmann::json j = {{"name", e.name},
                      {"participantId", e.participant_id},
                      {"stageId", e.stage_id},
                      {"sessionId", e.session_id},
                      {"eventTime", e.event_time}};
  if (!e.error_code.empty()) j["errorCode"] = e.error_code;
  std::string message = "event: participant\ndata: " + j.dump() + "\n\n";
  auto& list = it->second;
  // Streams whose client left (or fell too far behind) are dropped here.
  list.erase(std::remove_if(list.begin(), list.end(),
                            [&](const std::shared_ptr<HttpEventStream>& s) {
                              return !s->open() || !s->write(message);
                            }),
             list.end());
  if (list.empty()) streams_.erase(it);
}

size_t EventHub::subscriber_count() const {
  size_t n = 0;
  for (const auto& [id, list] : streams_)
    for (const auto& s : list) n += s->open() ? 1 : 0;
  return n;
}

}  // namespace sg::gw
