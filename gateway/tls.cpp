#include "gateway/tls.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <climits>

namespace sg::gw {
namespace {

// Drains OpenSSL's (thread-local) error queue into one line. These strings name files, functions
// and reasons, never key bytes.
std::string openssl_errors(std::string_view fallback) {
  std::string out;
  char buf[256];
  while (unsigned long e = ERR_get_error()) {
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? std::string(fallback) : out;
}

bool is_ip_literal(const std::string& host) {
  // X509_VERIFY_PARAM_set1_ip_asc() parses both IPv4 and IPv6 text forms.
  X509_VERIFY_PARAM* p = X509_VERIFY_PARAM_new();
  bool ip = p != nullptr && X509_VERIFY_PARAM_set1_ip_asc(p, host.c_str()) == 1;
  X509_VERIFY_PARAM_free(p);
  ERR_clear_error();
  return ip;
}

}  // namespace

Result<SslCtxPtr> make_server_tls_context(const std::string& cert_chain_pem_path,
                                          const std::string& key_pem_path) {
  ERR_clear_error();
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return make_error("tls.context", openssl_errors("SSL_CTX_new failed"));
  if (SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION) != 1) {
    return make_error("tls.context", openssl_errors("cannot set TLS 1.2 minimum"));
  }
  // Tickets: librtmp over GnuTLS reads a TLS 1.3 NewSessionTicket arriving after the handshake as
  // a protocol error. Renegotiation: never useful for ingest and a known DoS lever. No session
  // cache either: encoders reconnect rarely and resumption would be state kept for nothing.
  SSL_CTX_set_options(ctx.get(),
                      SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_set_num_tickets(ctx.get(), 0) != 1) {
    return make_error("tls.context", openssl_errors("cannot disable session tickets"));
  }
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);

  if (SSL_CTX_use_certificate_chain_file(ctx.get(), cert_chain_pem_path.c_str()) != 1) {
    return make_error("tls.certificate",
                      cert_chain_pem_path + ": " + openssl_errors("cannot load certificate chain"));
  }
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), key_pem_path.c_str(), SSL_FILETYPE_PEM) != 1) {
    return make_error("tls.private_key",
                      key_pem_path + ": " + openssl_errors("cannot load private key"));
  }
  if (SSL_CTX_check_private_key(ctx.get()) != 1) {
    return make_error("tls.private_key",
                      key_pem_path + ": " + openssl_errors("key does not match certificate"));
  }
  return ctx;
}

Result<SslCtxPtr> make_client_tls_context(const std::string& ca_file, bool verify) {
  ERR_clear_error();
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return make_error("tls.context", openssl_errors("SSL_CTX_new failed"));
  if (SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION) != 1) {
    return make_error("tls.context", openssl_errors("cannot set TLS 1.2 minimum"));
  }
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_RENEGOTIATION);
  if (ca_file.empty()) {
    if (SSL_CTX_set_default_verify_paths(ctx.get()) != 1) {
      return make_error("tls.certificate", openssl_errors("cannot load system trust store"));
    }
  } else if (SSL_CTX_load_verify_locations(ctx.get(), ca_file.c_str(), nullptr) != 1) {
    return make_error("tls.certificate", ca_file + ": " + openssl_errors("cannot load CA file"));
  }
  SSL_CTX_set_verify(ctx.get(), verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
  return ctx;
}

TlsSession::TlsSession(SslPtr ssl, BIO* rbio, BIO* wbio, TlsLimits limits)
    : ssl_(std::move(ssl)), rbio_(rbio), wbio_(wbio), limits_(limits) {}

Result<std::unique_ptr<TlsSession>> TlsSession::create(SSL_CTX* ctx, TlsLimits limits) {
  ERR_clear_error();
  SslPtr ssl(SSL_new(ctx));
  if (!ssl) return make_error("tls.context", openssl_errors("SSL_new failed"));
  BIO* rbio = BIO_new(BIO_s_mem());
  BIO* wbio = BIO_new(BIO_s_mem());
  if (rbio == nullptr || wbio == nullptr) {
    BIO_free(rbio);
    BIO_free(wbio);
    return make_error("tls.context", openssl_errors("BIO_new failed"));
  }
  // An empty memory BIO must mean "need more input", not EOF: -1 with the retry flag set.
  BIO_set_mem_eof_return(rbio, -1);
  SSL_set_bio(ssl.get(), rbio, wbio);  // ssl now owns both BIOs
  return std::unique_ptr<TlsSession>(new TlsSession(std::move(ssl), rbio, wbio, limits));
}

Result<std::unique_ptr<TlsSession>> TlsSession::server(SSL_CTX* ctx, TlsLimits limits) {
  auto s = create(ctx, limits);
  if (!s) return s;
  SSL_set_accept_state((*s)->ssl());
  return s;
}

Result<std::unique_ptr<TlsSession>> TlsSession::client(SSL_CTX* ctx, std::string sni_host,
                                                       TlsLimits limits) {
  auto s = create(ctx, limits);
  if (!s) return s;
  SSL* ssl = (*s)->ssl();
  SSL_set_connect_state(ssl);
  if (!sni_host.empty()) {
    bool ip = is_ip_literal(sni_host);
    // RFC 6066 forbids IP literals in SNI; the name check still applies to them.
    if (!ip && SSL_set_tlsext_host_name(ssl, sni_host.c_str()) != 1) {
      return make_error("tls.context", openssl_errors("cannot set SNI"));
    }
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, sni_host.c_str())
                : X509_VERIFY_PARAM_set1_host(param, sni_host.c_str(), 0);
    if (ok != 1) return make_error("tls.context", openssl_errors("cannot set expected host"));
  }
  // Produce the ClientHello now so the caller has something to send.
  if (Status st = (*s)->advance_handshake(); !st) return st.error();
  return s;
}

Status TlsSession::fail(std::string_view reason, int ssl_ret) {
  int code = SSL_get_error(ssl_.get(), ssl_ret);
  std::string detail = openssl_errors("ssl error " + std::to_string(code));
  long verify = SSL_get_verify_result(ssl_.get());
  if (verify != X509_V_OK) {
    detail += " (certificate: ";
    detail += X509_verify_cert_error_string(verify);
    detail += ")";
  }
  error_ = make_error(reason, std::move(detail));
  return *error_;
}

Status TlsSession::advance_handshake() {
  if (SSL_is_init_finished(ssl_.get())) return Status::ok();
  ERR_clear_error();
  int r = SSL_do_handshake(ssl_.get());
  if (r == 1) return flush_plaintext();
  int code = SSL_get_error(ssl_.get(), r);
  if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE) return Status::ok();
  return fail("tls.handshake", r);
}

Status TlsSession::read_available(std::vector<uint8_t>& plaintext_out) {
  // One TLS record of plaintext at most; a stack buffer avoids zero-filling the output on every
  // call, which matters when ciphertext arrives in tiny pieces.
  uint8_t buf[16 * 1024];
  while (!peer_closed_) {
    ERR_clear_error();
    int r = SSL_read(ssl_.get(), buf, int(sizeof buf));
    if (r > 0) {
      plaintext_out.insert(plaintext_out.end(), buf, buf + r);
      continue;
    }
    int code = SSL_get_error(ssl_.get(), r);
    if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE) break;
    if (code == SSL_ERROR_ZERO_RETURN) {
      peer_closed_ = true;
      break;
    }
    return fail("tls.protocol", r);
  }
  return Status::ok();
}

Status TlsSession::ssl_write(ByteView in, size_t& done) {
  done = 0;
  while (done < in.size()) {
    int n = int(std::min<size_t>(in.size() - done, INT_MAX));
    ERR_clear_error();
    int r = SSL_write(ssl_.get(), in.data() + done, n);
    if (r > 0) {
      done += size_t(r);
      continue;
    }
    int code = SSL_get_error(ssl_.get(), r);
    // A memory BIO never blocks writing, but a post-handshake message in flight can make OpenSSL
    // want input first: the caller keeps the rest for the next feed.
    if (code != SSL_ERROR_WANT_READ && code != SSL_ERROR_WANT_WRITE) return fail("tls.protocol", r);
    break;
  }
  return Status::ok();
}

Status TlsSession::flush_plaintext() {
  if (!SSL_is_init_finished(ssl_.get()) || pending_plain_.empty()) return Status::ok();
  size_t done = 0;
  Status st = ssl_write(pending_plain_, done);
  pending_plain_.erase(pending_plain_.begin(), pending_plain_.begin() + ptrdiff_t(done));
  return st;
}

Status TlsSession::feed_ciphertext(ByteView in, std::vector<uint8_t>& plaintext_out) {
  if (error_) return *error_;
  // A memory BIO grows as needed; the data is consumed below, so at most one partial record stays.
  size_t off = 0;
  while (off < in.size()) {
    int n = int(std::min<size_t>(in.size() - off, INT_MAX));
    int w = BIO_write(rbio_, in.data() + off, n);
    if (w <= 0) {
      error_ = make_error("tls.protocol", openssl_errors("cannot buffer ciphertext"));
      return *error_;
    }
    off += size_t(w);
  }
  if (Status st = advance_handshake(); !st) return st;
  if (!SSL_is_init_finished(ssl_.get())) return Status::ok();
  if (Status st = read_available(plaintext_out); !st) return st;
  // Reading may have completed something a buffered write was waiting for.
  return flush_plaintext();
}

Status TlsSession::write_plaintext(ByteView in) {
  if (error_) return *error_;
  if (shutdown_sent_) return make_error("tls.closed", "write after TLS shutdown");
  size_t pending = pending_plain_.size() + pending_ciphertext();
  // Each record adds a little framing; the bound is about memory, not exact bytes.
  if (in.size() > limits_.max_pending_bytes || pending > limits_.max_pending_bytes - in.size()) {
    return make_error("tls.backlog", "TLS output backlog of " + std::to_string(pending) +
                                         " bytes cannot take " + std::to_string(in.size()) +
                                         " more");
  }
  if (pending_plain_.empty() && SSL_is_init_finished(ssl_.get())) {
    // The common case once connected: encrypt straight from the caller's bytes.
    size_t done = 0;
    if (Status st = ssl_write(in, done); !st) return st;
    in = in.subspan(done);
    if (in.empty()) return Status::ok();
  }
  pending_plain_.insert(pending_plain_.end(), in.begin(), in.end());
  return flush_plaintext();
}

size_t TlsSession::pending_ciphertext() const {
  return BIO_ctrl_pending(wbio_);
}

void TlsSession::take_ciphertext(std::vector<uint8_t>& out) {
  size_t n = BIO_ctrl_pending(wbio_);
  if (n == 0) return;
  size_t old = out.size();
  out.resize(old + n);
  int r = BIO_read(wbio_, out.data() + old, int(std::min<size_t>(n, INT_MAX)));
  out.resize(old + size_t(std::max(r, 0)));
}

bool TlsSession::handshake_done() const {
  return SSL_is_init_finished(ssl_.get()) == 1;
}

void TlsSession::shutdown() {
  if (shutdown_sent_) return;
  shutdown_sent_ = true;
  if (error_ || !SSL_is_init_finished(ssl_.get())) return;
  (void)flush_plaintext();
  ERR_clear_error();
  // Returns 0 ("sent, peer's not yet seen"); the peer's close_notify shows up in peer_closed().
  SSL_shutdown(ssl_.get());
  ERR_clear_error();
}

}  // namespace sg::gw
