#include "gateway/relay.h"

#include <algorithm>
#include <cstring>

#include "gateway/random.h"

namespace sg::gw {

namespace {

// "1935" -> 1935; nullopt unless 1..5 digits in 1..65535.
std::optional<uint16_t> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5 || !std::all_of(text.begin(), text.end(), ::isdigit))
    return std::nullopt;
  int p = 0;
  for (char c : text) p = p * 10 + (c - '0');
  if (p <= 0 || p > 65535) return std::nullopt;
  return static_cast<uint16_t>(p);
}

}  // namespace

std::optional<RtmpUrl> parse_rtmp_url(const std::string& url) {
  RtmpUrl u;
  std::string_view scheme = "rtmp://";
  if (url.rfind("rtmps://", 0) == 0) {
    scheme = "rtmps://";
    u.secure = true;
    u.port = 443;
  } else if (url.rfind(scheme, 0) != 0) {
    return std::nullopt;
  }
  std::string rest = url.substr(scheme.size());
  auto slash = rest.find('/');
  if (slash == std::string::npos) return std::nullopt;
  std::string hostport = rest.substr(0, slash);
  std::string path = rest.substr(slash + 1);
  std::string port_text;
  bool has_port = false;
  if (!hostport.empty() && hostport[0] == '[') {
    auto close = hostport.find(']');
    if (close == std::string::npos) return std::nullopt;
    u.host = hostport.substr(1, close - 1);
    std::string after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return std::nullopt;
      has_port = true;
      port_text = after.substr(1);
    }
  } else {
    auto colon = hostport.rfind(':');
    u.host = hostport.substr(0, colon);
    if (colon != std::string::npos) {
      has_port = true;
      port_text = hostport.substr(colon + 1);
    }
  }
  if (has_port) {
    auto port = parse_port(port_text);
    if (!port) return std::nullopt;
    u.port = *port;
  }
  auto app_end = path.find('/');
  if (u.host.empty() || app_end == std::string::npos || app_end == 0 || app_end + 1 >= path.size())
    return std::nullopt;
  u.app = path.substr(0, app_end);
  u.stream = path.substr(app_end + 1);
  u.tc_url = std::string(scheme) + hostport + "/" + u.app;
  return u;
}

std::string expand_url_template(std::string t, const std::string& stage_id,
                                const std::string& participant_id) {
  for (auto [key, value] : {std::pair<std::string_view, const std::string&>{"{stageId}", stage_id},
                            {"{participantId}", participant_id}}) {
    for (size_t p = 0; (p = t.find(key, p)) != std::string::npos; p += value.size())
      t.replace(p, key.size(), value);
  }
  return t;
}

// One connection attempt to the upstream: its own queue, TCP stream and client session. It frees
// itself once its handle has closed; the Relay only ever points at the current one.
struct Relay::Upstream final : rtmp::ClientSessionHandler {
  Relay* relay;
  std::unique_ptr<ByteStream> tcp;  // plain or TLS, by the URL's scheme
  rtmp::ClientSession session;
  bool publishing = false;
  bool dead = false;

  Upstream(Relay* r, std::unique_ptr<ByteStream> stream, rtmp::ClientSessionOptions opts)
      : relay(r),
        tcp(std::move(stream)),
        session(
            std::move(opts), [](uint8_t* p, size_t n) { random_bytes(p, n); }, *this, tcp->out()) {}

  void kill(const std::string& why) {
    if (dead) return;
    dead = true;
    Relay* r = relay;
    relay = nullptr;
    tcp->close([this, r] {
      r->live_upstreams_--;
      r->maybe_delete();
      delete this;
    });
    if (r->upstream_ == this) {
      r->upstream_ = nullptr;
      if (!why.empty()) r->upstream_lost(why);
    }
  }
  void on_connected() override {}
  void on_publish_started() override {
    publishing = true;
    if (relay) relay->upstream_publishing();
  }
  void on_play_started() override {}
  void on_status(std::string_view level, std::string_view code, std::string_view) override {
    if (relay && level == "error") relay->log_.warn("{} upstream status {}", relay->prefix_, code);
  }
  void on_media(const MediaMessage&) override {}
  void on_error(const Error& e) override { kill("upstream refused: " + e.detail); }
};

Relay* Relay::start(uv_loop_t* loop, const config::StageEndpoint& ep, std::string url, SSL_CTX* tls,
                    size_t max_backlog, Broadcast& source, spdlog::logger& log, std::string prefix,
                    OnFailed on_failed) {
  auto* r = new Relay(loop, ep, std::move(url), tls, max_backlog, source, log, std::move(prefix),
                      std::move(on_failed));
  r->connect();
  return r;
}

Relay::Relay(uv_loop_t* loop, const config::StageEndpoint& ep, std::string url, SSL_CTX* tls,
             size_t max_backlog, Broadcast& source, spdlog::logger& log, std::string prefix,
             OnFailed on_failed)
    : loop_(loop),
      ep_(ep),
      url_(std::move(url)),
      tls_(tls != nullptr && SSL_CTX_up_ref(tls) == 1 ? tls : nullptr),
      max_backlog_(max_backlog),
      source_(source),
      log_(log),
      prefix_(std::move(prefix)),
      on_failed_(std::move(on_failed)),
      backoff_(ep.reconnect_initial) {
  target_ = parse_rtmp_url(url_);
  uv_timer_init(loop_, &timer_);
  timer_.data = this;
  down_since_ = now_millis();
}

Relay::~Relay() = default;

void Relay::connect() {
  if (stopping_ || failed_) return;
  if (!target_) {
    upstream_lost("the relay URL is not a valid rtmp:// or rtmps:// URL");
    return;
  }
  if (target_->secure && !tls_) {
    upstream_lost("an rtmps:// relay URL needs stage_endpoint.kind rtmps");
    return;
  }
  addrs_.clear();
  next_addr_ = 0;
  sockaddr_storage addr{};
  const char* host = target_->host.c_str();
  if (uv_ip4_addr(host, target_->port, reinterpret_cast<sockaddr_in*>(&addr)) == 0 ||
      uv_ip6_addr(host, target_->port, reinterpret_cast<sockaddr_in6*>(&addr)) == 0) {
    addrs_.push_back(addr);
    connect_next();
    return;
  }
  resolve();
}

void Relay::resolve() {
  // A name: resolved on libuv's thread pool (never on the loop), again before every reconnect.
  auto* req = new uv_getaddrinfo_t;
  req->data = this;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  resolving_++;
  int rc = uv_getaddrinfo(
      loop_, req,
      [](uv_getaddrinfo_t* r, int status, addrinfo* res) {
        auto* self = static_cast<Relay*>(r->data);
        delete r;
        self->resolving_--;
        for (addrinfo* a = res; a; a = a->ai_next) {
          sockaddr_storage ss{};
          if (a->ai_addrlen > sizeof ss) continue;
          std::memcpy(&ss, a->ai_addr, a->ai_addrlen);
          self->addrs_.push_back(ss);
        }
        uv_freeaddrinfo(res);
        if (self->stopping_ || self->failed_) {
          self->maybe_delete();
          return;
        }
        if (self->addrs_.empty()) {
          self->upstream_lost("cannot resolve the relay host " + self->target_->host + ": " +
                              (status != 0 ? uv_strerror(status) : "no address"));
          return;
        }
        self->connect_next();
      },
      target_->host.c_str(), std::to_string(target_->port).c_str(), &hints);
  if (rc != 0) {
    delete req;
    resolving_--;
    upstream_lost("cannot resolve the relay host " + target_->host + ": " + uv_strerror(rc));
  }
}

void Relay::connect_next() {
  if (stopping_ || failed_) return;
  sockaddr_storage addr = addrs_[next_addr_];
  rtmp::ClientSessionOptions opts;
  opts.mode = rtmp::ClientSessionOptions::Mode::kPublish;
  opts.app = target_->app;
  opts.tc_url = target_->tc_url;
  opts.stream_name = target_->stream;
  std::unique_ptr<ByteStream> stream;
  if (target_->secure) {
    auto tls = make_tls_client_stream(loop_, tls_.get(), target_->host);
    if (!tls) {
      upstream_lost("TLS: " + tls.error().detail);
      return;
    }
    stream = std::move(*tls);
  } else {
    stream = make_plain_stream(loop_);
  }
  auto* up = new Upstream(this, std::move(stream), std::move(opts));
  upstream_ = up;
  live_upstreams_++;
  int rc = up->tcp->connect(reinterpret_cast<sockaddr*>(&addr), [this, up](int status) {
    if (up->dead) return;
    if (status != 0) {
      // A name with several addresses (::1 and 127.0.0.1): try the next before backing off.
      if (next_addr_ + 1 < addrs_.size() && upstream_ == up) {
        up->kill("");
        next_addr_++;
        connect_next();
        return;
      }
      up->kill(std::string("connect: ") + uv_strerror(status));
      return;
    }
    up->tcp->start_reading(
        [up](ByteView d) {
          if (up->dead) return;
          Status s = up->session.feed(d);
          up->tcp->flush();
          if (!s) up->kill("upstream protocol error: " + s.error().detail);
        },
        [up](std::string why) { up->kill("upstream: " + why); });
    up->session.start();
    up->tcp->flush();
  });
  if (rc != 0) up->kill(std::string("connect: ") + uv_strerror(rc));
}

void Relay::upstream_publishing() {
  log_.info("{} relaying to the stage endpoint", prefix_);
  down_since_ = 0;
  backoff_ = ep_.reconnect_initial;
  attached_ = true;
  source_.add(this);  // replays metadata, sequence headers and the current GOP
}

void Relay::detach() {
  if (attached_) source_.remove(this);
  attached_ = false;
}

void Relay::upstream_lost(const std::string& why) {
  if (stopping_ || failed_) return;
  detach();
  log_.warn("{} stage endpoint unavailable: {}", prefix_, why);
  if (down_since_ == 0) down_since_ = now_millis();
  check_downtime();
  if (!failed_) schedule_reconnect();
}

void Relay::check_downtime() {
  if (down_since_ == 0 || failed_) return;
  if (now_millis() - down_since_ >= ep_.max_downtime.count()) {
    failed_ = true;
    uv_timer_stop(&timer_);
    if (on_failed_) on_failed_("the stage endpoint stayed unavailable");
  }
}

void Relay::schedule_reconnect() {
  auto delay = backoff_;
  backoff_ = std::min(backoff_ * 2, ep_.reconnect_max);
  uv_timer_start(
      &timer_,
      [](uv_timer_t* t) {
        auto* self = static_cast<Relay*>(t->data);
        self->check_downtime();
        self->connect();
      },
      static_cast<uint64_t>(delay.count()), 0);
}

void Relay::on_media(const MediaMessage& m) {
  if (!upstream_ || !upstream_->publishing) return;
  upstream_->session.send_media(m);
  upstream_->tcp->flush();
  // An upstream that does not keep up is treated like one that went away: reconnect, resume at a
  // keyframe. The backlog never grows without bound.
  if (upstream_->tcp->pending_bytes() > max_backlog_)
    upstream_->kill("the stage endpoint is too slow");
}

void Relay::stop() {
  if (stopping_) return;
  stopping_ = true;
  detach();
  uv_timer_stop(&timer_);
  if (upstream_) {
    Upstream* up = upstream_;
    upstream_ = nullptr;
    if (up->publishing) {
      up->session.close();
      up->tcp->when_drained([up] { up->kill(""); });
    } else {
      up->kill("");
    }
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), [](uv_handle_t* h) {
    auto* self = static_cast<Relay*>(h->data);
    self->timer_closed_ = true;
    self->maybe_delete();
  });
}

void Relay::maybe_delete() {
  if (stopping_ && timer_closed_ && live_upstreams_ == 0 && resolving_ == 0) delete this;
}

}  // namespace sg::gw
