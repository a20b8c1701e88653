// AWS Signature Version 4 verification. Every canonicalisation rule mirrors botocore/auth.py
// (SigV4Auth), because the AWS CLI and boto3 are the clients this API must accept byte for byte;
// the comments name the botocore function each rule comes from.
#include "gateway/sigv4.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <optional>

namespace sg::gw {
namespace {

using namespace std::chrono;

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kTerminator = "aws4_request";
constexpr std::string_view kHex = "0123456789abcdef";
constexpr std::string_view kSignatureMismatch =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";

char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

// Python's str.split() whitespace, ASCII part (botocore _header_value uses ' '.join(v.split())).
// Bytes >= 0x80 are never whitespace here: they are parts of UTF-8 sequences.
bool is_py_space(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u == ' ' || (u >= 0x09 && u <= 0x0d) || (u >= 0x1c && u <= 0x1f);
}

std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

// urllib.parse.quote(s, safe=...) on the UTF-8 bytes, with uppercase hex like Python.
void append_encoded(std::string& out, std::string_view bytes, bool keep_slash) {
  static constexpr std::string_view kUpperHex = "0123456789ABCDEF";
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c) || (keep_slash && c == '/')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kUpperHex[c >> 4]);
      out.push_back(kUpperHex[c & 0xf]);
    }
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Query component decoding per RFC 3986: '+' is a literal '+' (re-encoded as "%2B"), not a space,
// because the API router (api_http.cpp percent_decode) reads it that way too: if the two disagreed,
// "%20" could be swapped for '+' without breaking the signature while changing what the router
// sees. botocore never sends a raw '+'. A '%' not followed by two hex digits stays a literal '%'
// (re-encoded as "%25"); the router refuses such a query anyway.
std::string decode_query_component(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string to_hex(const unsigned char* p, size_t n) {
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kHex[p[i] >> 4]);
    out.push_back(kHex[p[i] & 0xf]);
  }
  return out;
}

using Mac = std::array<unsigned char, 32>;

Mac hmac_sha256(std::string_view key, std::string_view msg) {
  Mac out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), out.data(), &len);
  return out;
}

std::string_view as_view(const Mac& m) {
  return {reinterpret_cast<const char*>(m.data()), m.size()};
}

// A short, printable excerpt of client-supplied text for an error message: bounded so a hostile
// header cannot bloat logs, and shorter than a 40-character AWS secret key, so that even a client
// that misplaces its secret in a header never gets it echoed whole. Never used on a signature.
std::string excerpt(std::string_view s) {
  constexpr size_t kMax = 32;
  std::string out;
  for (size_t i = 0; i < s.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    out.push_back(c >= 0x20 && c < 0x7f ? s[i] : '?');
  }
  if (s.size() > kMax) out += "...";
  return out;
}

struct Timestamp {
  system_clock::time_point when;
  std::string amz;  // yyyymmddTHHMMSSZ, the form that goes into the string to sign
};

std::string format_amz(system_clock::time_point tp) {
  const auto secs = floor<seconds>(tp);
  const auto day = floor<days>(secs);
  const year_month_day ymd{day};
  const hh_mm_ss hms{secs - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02u%02uT%02ld%02ld%02lldZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
                static_cast<long long>(hms.seconds().count()));
  return buf;
}

std::optional<int> digits(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

// Years outside 1970..2200 are refused as malformed: a system_clock time point (nanoseconds in 64
// bits) ends in 2262, so a later year would overflow (found by the sigv4 fuzz target under UBSan),
// and any such date is far outside the 5-minute skew window anyway.
std::optional<Timestamp> make_timestamp(int y, int mo, int d, int h, int mi, int s) {
  if (y < 1970 || y > 2200) return std::nullopt;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                           day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 59) return std::nullopt;
  const auto tp = sys_days{ymd} + hours{h} + minutes{mi} + seconds{s};
  return Timestamp{tp, format_amz(tp)};
}

// X-Amz-Date: ISO 8601 basic, exactly "yyyymmddTHHMMSSZ".
std::optional<Timestamp> parse_amz_date(std::string_view v) {
  if (v.size() != 16 || v[8] != 'T' || v[15] != 'Z') return std::nullopt;
  const auto y = digits(v.substr(0, 4)), mo = digits(v.substr(4, 2)), d = digits(v.substr(6, 2));
  const auto h = digits(v.substr(9, 2)), mi = digits(v.substr(11, 2)), s = digits(v.substr(13, 2));
  if (!y || !mo || !d || !h || !mi || !s) return std::nullopt;
  return make_timestamp(*y, *mo, *d, *h, *mi, *s);
}

// Date: RFC 1123 "Fri, 17 May 2024 12:34:56 GMT". botocore writes the zone as "-0000"
// (email.utils.formatdate), so every spelling of UTC is accepted; other offsets are not.
std::optional<Timestamp> parse_http_date(std::string_view v) {
  v = trim_spaces(v);
  if (const auto comma = v.find(','); comma != std::string_view::npos) {
    v = trim_spaces(v.substr(comma + 1));
  }
  // "17 May 2024 12:34:56 GMT"
  if (v.size() < 24 || v[2] != ' ' || v[6] != ' ' || v[11] != ' ' || v[14] != ':' || v[17] != ':' ||
      v[20] != ' ') {
    return std::nullopt;
  }
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int mo = 0;
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (v.substr(3, 3) == kMonths[i]) mo = static_cast<int>(i) + 1;
  }
  const std::string_view zone = v.substr(21);
  if (mo == 0 || (zone != "GMT" && zone != "UTC" && zone != "-0000" && zone != "+0000")) {
    return std::nullopt;
  }
  const auto d = digits(v.substr(0, 2)), y = digits(v.substr(7, 4));
  const auto h = digits(v.substr(12, 2)), mi = digits(v.substr(15, 2)), s = digits(v.substr(18, 2));
  if (!y || !d || !h || !mi || !s) return std::nullopt;
  return make_timestamp(*y, mo, *d, *h, *mi, *s);
}

std::vector<std::string_view> header_values(
    const std::vector<std::pair<std::string, std::string>>& headers, std::string_view lname) {
  std::vector<std::string_view> out;
  for (const auto& [name, value] : headers) {
    if (iequals(name, lname)) out.emplace_back(value);
  }
  return out;
}

std::string skew_text(seconds skew) {
  if (skew.count() % 60 == 0) return std::to_string(skew.count() / 60) + " min.";
  return std::to_string(skew.count()) + " s";
}

SigV4Outcome fail(std::string_view type, std::string_view reason, std::string message,
                  std::string akid = {}) {
  SigV4Outcome o;
  o.error_type = std::string(type);
  o.reason = reason;
  o.message = std::move(message);
  o.access_key_id = std::move(akid);
  return o;
}

Error incomplete(std::string detail) {
  return make_error("sigv4.incomplete_signature", std::move(detail));
}

Result<std::vector<std::string>> parse_signed_headers(std::string_view list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(';', start);
    if (end == std::string_view::npos) end = list.size();
    const std::string_view name = list.substr(start, end - start);
    if (name.empty()) return incomplete("SignedHeaders contains an empty header name.");
    std::string lower;
    for (char c : name) lower.push_back(ascii_lower(c));
    out.push_back(std::move(lower));
    start = end + 1;
  }
  // botocore signs sorted(set(...)); normalising here keeps a listing order difference from
  // mattering, while any real difference still changes the signature.
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return to_hex(md, len);
}

// botocore: SigV4Auth._normalize_url_path = quote(normalize_url_path(path), safe='/~'), and
// utils.remove_dot_segments drops "", "." and pops on "..", keeping a leading '/' and a trailing
// '/' (the latter only when something is left). The path is the raw, already percent-encoded one
// from the URL, so the encoding is applied a second time.
std::string sigv4_canonical_uri(std::string_view raw_path) {
  if (raw_path.empty()) return "/";
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (start <= raw_path.size()) {
    size_t end = raw_path.find('/', start);
    if (end == std::string_view::npos) end = raw_path.size();
    const std::string_view seg = raw_path.substr(start, end - start);
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segments.push_back(seg);
    }
    start = end + 1;
  }
  std::string normalized = raw_path.front() == '/' ? "/" : "";
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) normalized.push_back('/');
    normalized.append(segments[i]);
  }
  if (raw_path.back() == '/' && !segments.empty()) normalized.push_back('/');
  std::string out;
  out.reserve(normalized.size() * 3);
  append_encoded(out, normalized, /*keep_slash=*/true);
  return out;
}

// botocore: _canonical_query_string_url splits on '&' and partition('='), sorts the
// (key, value) pairs and joins "k=v" with '&'. It does so on the query botocore itself encoded
// with utils.percent_encode (quote, safe='-_.~'), so decoding and re-encoding here yields the same
// string for every request botocore sends, and a canonical form for any other client.
std::string sigv4_canonical_query(std::string_view raw_query) {
  if (raw_query.empty()) return {};
  std::vector<std::pair<std::string, std::string>> pairs;
  size_t start = 0;
  while (start <= raw_query.size()) {
    size_t end = raw_query.find('&', start);
    if (end == std::string_view::npos) end = raw_query.size();
    const std::string_view pair = raw_query.substr(start, end - start);
    const size_t eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    std::string k, v;
    append_encoded(k, decode_query_component(key), false);
    append_encoded(v, decode_query_component(value), false);
    pairs.emplace_back(std::move(k), std::move(v));
    start = end + 1;
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (i > 0) out.push_back('&');
    out += pairs[i].first;
    out.push_back('=');
    out += pairs[i].second;
  }
  return out;
}

// botocore: canonical_request = method, path, query, canonical_headers + '\n', signed_headers,
// payload hash, joined by '\n'. canonical_headers: "name:value" per sorted lowercase name, the
// values of repeated headers joined by ',' after each is trimmed and its whitespace runs
// collapsed (_header_value: ' '.join(value.split())).
Result<std::string> sigv4_canonical_request(const SigV4Request& req,
                                            const std::vector<std::string>& signed_headers,
                                            std::string_view payload_hash) {
  std::string cr;
  for (char c : req.method) cr.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c);
  cr.push_back('\n');
  cr += sigv4_canonical_uri(req.path);
  cr.push_back('\n');
  cr += sigv4_canonical_query(req.query);
  cr.push_back('\n');
  for (const auto& name : signed_headers) {
    const auto values = header_values(req.headers, name);
    if (values.empty()) {
      return make_error("sigv4.missing_signed_header", "SignedHeaders lists '" + excerpt(name) +
                                                           "' but the request has no such header.");
    }
    cr += name;
    cr.push_back(':');
    for (size_t i = 0; i < values.size(); ++i) {
      if (i > 0) cr.push_back(',');
      bool pending_space = false, any = false;
      for (char c : values[i]) {
        if (is_py_space(c)) {
          pending_space = any;
          continue;
        }
        if (pending_space) cr.push_back(' ');
        cr.push_back(c);
        pending_space = false;
        any = true;
      }
    }
    cr.push_back('\n');
  }
  cr.push_back('\n');
  for (size_t i = 0; i < signed_headers.size(); ++i) {
    if (i > 0) cr.push_back(';');
    cr += signed_headers[i];
  }
  cr.push_back('\n');
  cr += payload_hash;
  return cr;
}

std::string sigv4_string_to_sign(std::string_view amz_date, std::string_view scope,
                                 std::string_view canonical_request) {
  std::string sts(kAlgorithm);
  sts.push_back('\n');
  sts += amz_date;
  sts.push_back('\n');
  sts += scope;
  sts.push_back('\n');
  sts += sha256_hex(canonical_request);
  return sts;
}

std::string sigv4_signature(std::string_view secret_access_key, std::string_view scope_date,
                            std::string_view region, std::string_view service,
                            std::string_view string_to_sign) {
  std::string seed = "AWS4";
  seed += secret_access_key;
  const Mac k_date = hmac_sha256(seed, scope_date);
  OPENSSL_cleanse(seed.data(), seed.size());
  const Mac k_region = hmac_sha256(as_view(k_date), region);
  const Mac k_service = hmac_sha256(as_view(k_region), service);
  const Mac k_signing = hmac_sha256(as_view(k_service), kTerminator);
  const Mac sig = hmac_sha256(as_view(k_signing), string_to_sign);
  return to_hex(sig.data(), sig.size());
}

// Accepts what botocore writes ("AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=x;y,
// Signature=hex"), with or without spaces after the commas, components in any order.
Result<SigV4Authorization> parse_sigv4_authorization(std::string_view value) {
  value = trim_spaces(value);
  const size_t sp = value.find(' ');
  if (value.substr(0, sp) != kAlgorithm) {
    // The rest of the header is not echoed: with another scheme it may be a bearer secret.
    return incomplete(
        "Unsupported Authorization scheme; only AWS4-HMAC-SHA256 (Signature Version 4) is "
        "accepted.");
  }
  std::optional<std::string_view> credential, signed_headers, signature;
  std::string_view rest = sp == std::string_view::npos ? "" : value.substr(sp + 1);
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    const std::string_view part = trim_spaces(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? "" : rest.substr(comma + 1);
    if (part.empty()) continue;
    const size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      return incomplete("Authorization header component is not a key=value pair.");
    }
    const std::string_view key = part.substr(0, eq);
    std::optional<std::string_view>* slot = key == "Credential"      ? &credential
                                            : key == "SignedHeaders" ? &signed_headers
                                            : key == "Signature"     ? &signature
                                                                     : nullptr;
    if (slot == nullptr) continue;  // Unknown components are ignored, as AWS does.
    if (slot->has_value()) {
      return incomplete("Authorization header has more than one '" + std::string(key) +
                        "' parameter.");
    }
    *slot = part.substr(eq + 1);
  }
  std::string missing;
  if (!credential || credential->empty()) {
    missing += "Authorization header requires 'Credential' parameter. ";
  }
  if (!signature || signature->empty()) {
    missing += "Authorization header requires 'Signature' parameter. ";
  }
  if (!signed_headers || signed_headers->empty()) {
    missing += "Authorization header requires 'SignedHeaders' parameter. ";
  }
  if (!missing.empty()) {
    missing.pop_back();
    return incomplete(std::move(missing));
  }

  std::vector<std::string_view> scope;
  size_t start = 0;
  while (start <= credential->size()) {
    size_t end = credential->find('/', start);
    if (end == std::string_view::npos) end = credential->size();
    scope.push_back(credential->substr(start, end - start));
    start = end + 1;
  }
  if (scope.size() != 5 || scope[0].empty() || scope[1].empty()) {
    return incomplete(
        "Credential must have exactly 5 slash-delimited elements, e.g. "
        "keyid/date/region/service/term, got '" +
        excerpt(*credential) + "'.");
  }
  auto headers = parse_signed_headers(*signed_headers);
  if (!headers) return headers.error();

  SigV4Authorization auth;
  auth.access_key_id = std::string(scope[0]);
  auth.scope_date = std::string(scope[1]);
  auth.scope_region = std::string(scope[2]);
  auth.scope_service = std::string(scope[3]);
  auth.scope_terminator = std::string(scope[4]);
  auth.signed_headers = std::move(headers.value());
  auth.signature = std::string(*signature);
  return auth;
}

SigV4Outcome verify_sigv4(const SigV4Request& req, const std::vector<SigV4Credential>& credentials,
                          std::string_view region, std::string_view service,
                          std::chrono::system_clock::time_point now,
                          std::chrono::seconds max_skew) {
  constexpr std::string_view kMissingToken = "MissingAuthenticationTokenException";
  constexpr std::string_view kIncomplete = "IncompleteSignatureException";
  constexpr std::string_view kInvalid = "InvalidSignatureException";
  constexpr std::string_view kUnrecognized = "UnrecognizedClientException";

  const auto authorization = header_values(req.headers, "authorization");
  if (authorization.empty()) {
    std::string msg = "Missing Authentication Token";
    if (req.query.find("X-Amz-Signature=") != std::string_view::npos) {
      msg += " (query-string authentication is not supported; sign the Authorization header)";
    }
    return fail(kMissingToken, "sigv4.missing_token", std::move(msg));
  }
  if (authorization.size() > 1) {
    return fail(kIncomplete, "sigv4.incomplete_signature",
                "The request has more than one Authorization header.");
  }
  // Temporary (STS) credentials would need a session-token store the gateway does not have.
  if (!header_values(req.headers, "x-amz-security-token").empty()) {
    return fail(kUnrecognized, "sigv4.security_token",
                "The security token included in the request is invalid. Temporary credentials "
                "(X-Amz-Security-Token) are not supported by this gateway; sign with a long-term "
                "access key from its configuration.");
  }
  auto parsed = parse_sigv4_authorization(authorization.front());
  if (!parsed) return fail(kIncomplete, "sigv4.incomplete_signature", parsed.error().detail);
  const SigV4Authorization& auth = parsed.value();
  const std::string& akid = auth.access_key_id;

  if (!std::binary_search(auth.signed_headers.begin(), auth.signed_headers.end(), "host")) {
    return fail(kIncomplete, "sigv4.incomplete_signature",
                "'Host' must be a signed header (listed in SignedHeaders).", akid);
  }

  // X-Amz-Date wins over Date, as on AWS; botocore sends exactly one of them.
  std::optional<Timestamp> stamp;
  if (const auto amz = header_values(req.headers, "x-amz-date"); !amz.empty()) {
    stamp = parse_amz_date(amz.front());
    if (!stamp) {
      return fail(kIncomplete, "sigv4.bad_date",
                  "X-Amz-Date must be in ISO 8601 basic format yyyyMMdd'T'HHmmss'Z', got '" +
                      excerpt(amz.front()) + "'.",
                  akid);
    }
  } else if (const auto date = header_values(req.headers, "date"); !date.empty()) {
    stamp = parse_http_date(date.front());
    if (!stamp) {
      return fail(kIncomplete, "sigv4.bad_date",
                  "Date must be an RFC 1123 date in GMT, got '" + excerpt(date.front()) + "'.",
                  akid);
    }
  } else {
    return fail(kIncomplete, "sigv4.bad_date",
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
                "header.",
                akid);
  }

  if (auth.scope_terminator != kTerminator) {
    return fail(kInvalid, "sigv4.bad_scope",
                "Credential should be scoped with a valid terminator: 'aws4_request', not '" +
                    excerpt(auth.scope_terminator) + "'.",
                akid);
  }
  if (auth.scope_region != region) {
    return fail(kInvalid, "sigv4.bad_scope",
                "Credential should be scoped to a valid region, not '" +
                    excerpt(auth.scope_region) + "'. This endpoint serves region '" +
                    std::string(region) + "'.",
                akid);
  }
  if (auth.scope_service != service) {
    return fail(kInvalid, "sigv4.bad_scope",
                "Credential should be scoped to correct service: '" + std::string(service) +
                    "', not '" + excerpt(auth.scope_service) + "'.",
                akid);
  }
  const std::string_view stamp_day = std::string_view(stamp->amz).substr(0, 8);
  if (auth.scope_date != stamp_day) {
    return fail(kInvalid, "sigv4.bad_scope",
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
                "from HTTP: '" +
                    excerpt(auth.scope_date) + "' != '" + std::string(stamp_day) + "', from '" +
                    stamp->amz + "'.",
                akid);
  }

  const SigV4Credential* cred = nullptr;
  for (const auto& c : credentials) {
    if (c.access_key_id == akid) {
      cred = &c;
      break;
    }
  }
  if (cred == nullptr) {
    return fail(kUnrecognized, "sigv4.unknown_key",
                "The security token included in the request is invalid.", akid);
  }

  if (stamp->when < now - max_skew) {
    return fail(kInvalid, "sigv4.expired",
                "Signature expired: " + stamp->amz + " is now earlier than " +
                    format_amz(now - max_skew) + " (" + format_amz(now) + " - " +
                    skew_text(max_skew) + ")",
                akid);
  }
  if (stamp->when > now + max_skew) {
    return fail(kInvalid, "sigv4.expired",
                "Signature expired: " + stamp->amz + " is now later than " +
                    format_amz(now + max_skew) + " (" + format_amz(now) + " + " +
                    skew_text(max_skew) + ")",
                akid);
  }

  // The server always hashes the body itself; a signed x-amz-content-sha256 must agree with it
  // (which also refuses UNSIGNED-PAYLOAD), an unsigned one is ignored.
  const std::string body_hash = sha256_hex(req.body);
  if (std::binary_search(auth.signed_headers.begin(), auth.signed_headers.end(),
                         "x-amz-content-sha256")) {
    const auto declared = header_values(req.headers, "x-amz-content-sha256");
    if (declared.size() != 1 || trim_spaces(declared.front()) != body_hash) {
      return fail(kInvalid, "sigv4.content_sha256_mismatch",
                  "The x-amz-content-sha256 header does not match the SHA-256 of the request "
                  "body (unsigned payloads are not accepted).",
                  akid);
    }
  }

  auto canonical = sigv4_canonical_request(req, auth.signed_headers, body_hash);
  if (!canonical) return fail(kInvalid, "sigv4.bad_signature", canonical.error().detail, akid);
  const std::string scope = auth.scope_date + "/" + auth.scope_region + "/" + auth.scope_service +
                            "/" + std::string(kTerminator);
  const std::string sts = sigv4_string_to_sign(stamp->amz, scope, canonical.value());
  std::string expected =
      sigv4_signature(cred->secret_access_key, auth.scope_date, region, service, sts);
  const bool match = expected.size() == auth.signature.size() &&
                     CRYPTO_memcmp(expected.data(), auth.signature.data(), expected.size()) == 0;
  OPENSSL_cleanse(expected.data(), expected.size());
  if (!match) return fail(kInvalid, "sigv4.bad_signature", std::string(kSignatureMismatch), akid);

  SigV4Outcome ok;
  ok.ok = true;
  ok.http_status = 200;
  ok.access_key_id = akid;
  return ok;
}

}  // namespace sg::gw
