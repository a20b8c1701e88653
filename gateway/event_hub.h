// Live participant events per stage, served as Server-Sent Events at GET /events/<stageId> (the
// stage's `endpoints.events`). Each event is one `event: participant` message whose data is the
// event as ListParticipantEvents shows it, plus stageId and sessionId.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gateway/http_server.h"
#include "gateway/model.h"

namespace sg::gw {

class EventHub {
 public:
  void subscribe(const std::string& stage_id, std::shared_ptr<HttpEventStream> stream);
  void publish(const ParticipantEvent& e);
  size_t subscriber_count() const;

 private:
  std::map<std::string, std::vector<std::shared_ptr<HttpEventStream>>> streams_;
};

}  // namespace sg::gw
