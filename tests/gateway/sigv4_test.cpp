// SigV4 verification (SPEC section 7, reference/ivs-realtime.md section 7). The golden vectors in
// data/sigv4/ are requests signed by botocore and by the real AWS CLI (make_vectors.py), each with
// botocore's own canonical request and string to sign, so every rule is checked against the client.
#include "gateway/sigv4.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sg::gw {
namespace {

using namespace std::chrono;
using Headers = std::vector<std::pair<std::string, std::string>>;

system_clock::time_point parse_stamp(const std::string& s) {
  const auto num = [&](size_t pos, size_t n) { return std::stoi(s.substr(pos, n)); };
  const year_month_day ymd{year{num(0, 4)}, month{static_cast<unsigned>(num(4, 2))},
                           day{static_cast<unsigned>(num(6, 2))}};
  return sys_days{ymd} + hours{num(9, 2)} + minutes{num(11, 2)} + seconds{num(13, 2)};
}

struct Vector {
  std::string name, source, akid, secret, region, service, now, method, path, query, body;
  std::string canonical_request, string_to_sign;
  Headers headers;

  SigV4Request request() const { return SigV4Request{method, path, query, headers, body}; }
  std::vector<SigV4Credential> creds() const { return {{akid, secret}}; }
  system_clock::time_point time() const { return parse_stamp(now); }
  std::string header(std::string_view lname) const {
    for (const auto& [n, v] : headers) {
      std::string l = n;
      std::transform(l.begin(), l.end(), l.begin(), ::tolower);
      if (l == lname) return v;
    }
    return {};
  }
  void set_header(std::string_view lname, const std::string& value) {
    for (auto& [n, v] : headers) {
      std::string l = n;
      std::transform(l.begin(), l.end(), l.begin(), ::tolower);
      if (l == lname) {
        v = value;
        return;
      }
    }
    headers.emplace_back(std::string(lname), value);
  }
  void remove_header(std::string_view lname) {
    std::erase_if(headers, [&](const auto& h) {
      std::string l = h.first;
      std::transform(l.begin(), l.end(), l.begin(), ::tolower);
      return l == lname;
    });
  }
  std::string signature() const {
    const std::string auth = header("authorization");
    const size_t at = auth.find("Signature=");
    return at == std::string::npos ? std::string() : auth.substr(at + 10);
  }
};

std::map<std::string, Vector> load_vectors() {
  std::map<std::string, Vector> out;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(STAGEGATE_TEST_DATA) + "/sigv4")) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    const auto j = nlohmann::json::parse(in);
    Vector v;
    v.name = j.at("name");
    v.source = j.at("source");
    v.akid = j.at("access_key_id");
    v.secret = j.at("secret_access_key");
    v.region = j.at("region");
    v.service = j.at("service");
    v.now = j.at("now");
    v.method = j.at("method");
    v.path = j.at("path");
    v.query = j.at("query");
    v.body = j.at("body");
    v.canonical_request = j.at("canonical_request");
    v.string_to_sign = j.at("string_to_sign");
    for (const auto& h : j.at("headers")) v.headers.emplace_back(h.at(0), h.at(1));
    out.emplace(v.name, std::move(v));
  }
  return out;
}

const std::map<std::string, Vector>& vectors() {
  static const auto v = load_vectors();
  return v;
}

// Every vector except the one signed with a session token, which must be refused.
std::vector<Vector> verifiable() {
  std::vector<Vector> out;
  for (const auto& [name, v] : vectors()) {
    if (name != "security_token") out.push_back(v);
  }
  return out;
}

// Runs the verifier and checks the rule that holds for every outcome: no secret and no full
// signature (given or expected) ever appears in a message.
SigV4Outcome verify(const Vector& v, system_clock::time_point now,
                    const std::vector<SigV4Credential>& creds, std::string_view region = "",
                    std::string_view service = "") {
  const auto out = verify_sigv4(v.request(), creds, region.empty() ? v.region : region,
                                service.empty() ? v.service : service, now);
  for (const auto& c : creds) {
    EXPECT_EQ(out.message.find(c.secret_access_key), std::string::npos) << v.name;
  }
  const std::string sig = v.signature();
  if (sig.size() >= 16) {
    EXPECT_EQ(out.message.find(sig), std::string::npos) << v.name;
  }
  if (out.ok) {
    EXPECT_EQ(out.http_status, 200);
    EXPECT_TRUE(out.error_type.empty());
  } else {
    EXPECT_EQ(out.http_status, 403) << v.name;
    EXPECT_FALSE(out.reason.empty()) << v.name;
  }
  return out;
}

SigV4Outcome verify(const Vector& v) {
  return verify(v, v.time(), v.creds());
}

TEST(SigV4Vectors, AllVectorsPresent) {
  for (const char* name :
       {"create_stage", "post_empty_body", "list_tags_for_resource", "untag_resource",
        "untag_resource_odd_chars", "get_stage_default_endpoint", "extra_signed_headers",
        "date_header", "content_sha256_signed", "dot_segments", "query_unsorted", "security_token",
        "cli_list_stages", "cli_untag_resource"}) {
    EXPECT_EQ(vectors().count(name), 1u) << name;
  }
  EXPECT_EQ(vectors().at("cli_list_stages").source, "aws-cli");
}

// Each building block reproduces botocore's intermediate strings exactly.
TEST(SigV4Vectors, CanonicalRequestStringToSignAndSignatureMatchBotocore) {
  for (const auto& [name, v] : vectors()) {
    SCOPED_TRACE(name);
    auto auth = parse_sigv4_authorization(v.header("authorization"));
    ASSERT_TRUE(auth) << auth.error().detail;
    EXPECT_EQ(auth->access_key_id, v.akid);
    EXPECT_EQ(auth->scope_region, v.region);
    EXPECT_EQ(auth->scope_service, "ivs");
    auto cr = sigv4_canonical_request(v.request(), auth->signed_headers, sha256_hex(v.body));
    ASSERT_TRUE(cr) << cr.error().detail;
    EXPECT_EQ(*cr, v.canonical_request);
    const std::string stamp = v.string_to_sign.substr(17, 16);
    const std::string scope = auth->scope_date + "/" + v.region + "/ivs/aws4_request";
    const std::string sts = sigv4_string_to_sign(stamp, scope, *cr);
    EXPECT_EQ(sts, v.string_to_sign);
    EXPECT_EQ(sigv4_signature(v.secret, auth->scope_date, v.region, "ivs", sts), v.signature());
  }
}

TEST(SigV4Vectors, EachVerifiesAtItsTime) {
  for (const auto& v : verifiable()) {
    const auto out = verify(v);
    EXPECT_TRUE(out.ok) << v.name << ": " << out.error_type << ": " << out.message;
    EXPECT_EQ(out.access_key_id, v.akid) << v.name;
    EXPECT_TRUE(out.reason.empty()) << v.name;
  }
}

TEST(SigV4Vectors, SecurityTokenRefused) {
  const auto out = verify(vectors().at("security_token"));
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.error_type, "UnrecognizedClientException");
  EXPECT_NE(out.message.find("Temporary credentials"), std::string::npos) << out.message;
  EXPECT_EQ(out.message.find("FwoGZXIvYXdzEXAMPLETOKEN"), std::string::npos);
}

void expect_bad_signature(const Vector& v, const char* what) {
  const auto out = verify(v);
  EXPECT_FALSE(out.ok) << v.name << " " << what;
  EXPECT_EQ(out.error_type, "InvalidSignatureException") << v.name << " " << what;
}

TEST(SigV4Vectors, TamperedRequestsFail) {
  for (const auto& base : verifiable()) {
    {
      Vector v = base;
      v.body += " ";
      expect_bad_signature(v, "body");
    }
    {
      Vector v = base;
      v.path += "x";
      expect_bad_signature(v, "path");
    }
    {
      Vector v = base;
      v.path[1] = v.path[1] == 'Z' ? 'Y' : 'Z';
      expect_bad_signature(v, "path char");
    }
    {
      Vector v = base;
      v.query += v.query.empty() ? "x=1" : "&x=1";
      expect_bad_signature(v, "query");
    }
    {
      Vector v = base;
      v.method = v.method == "POST" ? "PUT" : "POST";
      expect_bad_signature(v, "method");
    }
    {
      Vector v = base;
      v.set_header("host", v.header("host") + "0");
      expect_bad_signature(v, "host header");
    }
    {
      Vector v = base;
      const std::string sig = v.signature();
      std::string auth = v.header("authorization");
      auth.back() = auth.back() == '0' ? '1' : '0';
      v.set_header("authorization", auth);
      expect_bad_signature(v, "signature");
      v.set_header("authorization", auth.substr(0, auth.size() - 1));
      expect_bad_signature(v, "short signature");
      std::string upper = sig;
      std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
      v.set_header("authorization", auth.substr(0, auth.size() - sig.size()) + upper);
      expect_bad_signature(v, "uppercase signature");
    }
    if (!base.header("x-amz-date").empty()) {
      // The timestamp is part of the string to sign even though the scope day still matches.
      Vector v = base;
      std::string d = v.header("x-amz-date");
      d[14] = d[14] == '0' ? '1' : '0';
      v.set_header("x-amz-date", d);
      expect_bad_signature(v, "x-amz-date");
    }
  }
}

// The router decodes '+' as a literal '+', so swapping "%20" for '+' changes the request and must
// break the signature.
TEST(SigV4Vectors, PlusIsNotASpaceInTheQuery) {
  Vector v = vectors().at("untag_resource");
  ASSERT_EQ(v.query, "tagKeys=a&tagKeys=b%20c");
  v.query = "tagKeys=a&tagKeys=b+c";
  expect_bad_signature(v, "plus for space");
  v.query = "tagKeys=b%20c&tagKeys=a";  // order is canonicalised away
  EXPECT_TRUE(verify(v).ok);
}

TEST(SigV4Vectors, TamperedExtraSignedHeaderFails) {
  Vector v = vectors().at("extra_signed_headers");
  v.set_header("x-amz-user-agent", "aws-sdk-js/3.0.1");
  expect_bad_signature(v, "x-amz-user-agent");
  v = vectors().at("extra_signed_headers");
  v.remove_header("x-amz-user-agent");
  const auto out = verify(v);
  EXPECT_EQ(out.error_type, "InvalidSignatureException");
  EXPECT_NE(out.message.find("'x-amz-user-agent'"), std::string::npos) << out.message;
  // Whitespace inside a signed value is canonicalised away, so reflowing it keeps the signature.
  v = vectors().at("extra_signed_headers");
  v.set_header("x-amz-user-agent", "aws-sdk-js/3.0.0 ua/2.1\tos/linux");
  EXPECT_TRUE(verify(v).ok);
}

TEST(SigV4Vectors, UnsignedHeadersMayChange) {
  for (const auto& base : verifiable()) {
    Vector v = base;
    v.set_header("user-agent", "something else");
    v.headers.emplace_back("X-Forwarded-For", "127.0.0.1");
    EXPECT_TRUE(verify(v).ok) << v.name;
  }
}

TEST(SigV4Vectors, WrongSecretFails) {
  for (const auto& v : verifiable()) {
    const auto out = verify(v, v.time(), {{v.akid, v.secret + "x"}});
    EXPECT_EQ(out.error_type, "InvalidSignatureException") << v.name;
    EXPECT_EQ(out.message.rfind("The request signature we calculated does not match", 0), 0u);
    EXPECT_EQ(out.reason, "sigv4.bad_signature");
  }
}

TEST(SigV4Vectors, RightKeyFoundAmongSeveral) {
  const Vector& v = vectors().at("create_stage");
  const auto out =
      verify(v, v.time(), {{"AKIDOTHER", "other"}, {v.akid, v.secret}, {"AKID3", "third"}});
  EXPECT_TRUE(out.ok) << out.message;
}

TEST(SigV4Vectors, UnknownKeyIsUnrecognized) {
  for (const auto& v : verifiable()) {
    const auto out = verify(v, v.time(), {{"AKIDSOMEONEELSE", v.secret}});
    EXPECT_EQ(out.error_type, "UnrecognizedClientException") << v.name;
    EXPECT_EQ(out.message, "The security token included in the request is invalid.");
    EXPECT_EQ(out.access_key_id, v.akid);
  }
  const auto none = verify(vectors().at("create_stage"), vectors().at("create_stage").time(), {});
  EXPECT_EQ(none.error_type, "UnrecognizedClientException");
}

TEST(SigV4Vectors, ClockSkew) {
  const Vector& v = vectors().at("create_stage");  // signed at 20240517T123456Z
  const auto t = v.time();
  EXPECT_TRUE(verify(v, t + minutes(5), v.creds()).ok);
  EXPECT_TRUE(verify(v, t - minutes(5), v.creds()).ok);

  auto late = verify(v, t + minutes(5) + seconds(1), v.creds());
  EXPECT_EQ(late.error_type, "InvalidSignatureException");
  EXPECT_EQ(late.reason, "sigv4.expired");
  EXPECT_EQ(late.message,
            "Signature expired: 20240517T123456Z is now earlier than 20240517T123457Z "
            "(20240517T123957Z - 5 min.)");

  auto early = verify(v, t - minutes(5) - seconds(1), v.creds());
  EXPECT_EQ(early.error_type, "InvalidSignatureException");
  EXPECT_EQ(early.message,
            "Signature expired: 20240517T123456Z is now later than 20240517T123455Z "
            "(20240517T122955Z + 5 min.)");

  // Sub-second clocks: 5 min and a fraction is over the limit.
  EXPECT_FALSE(verify(v, t + minutes(5) + milliseconds(1), v.creds()).ok);
  // A custom window is honoured.
  EXPECT_FALSE(
      verify_sigv4(v.request(), v.creds(), v.region, "ivs", t + seconds(31), seconds(30)).ok);
  EXPECT_TRUE(
      verify_sigv4(v.request(), v.creds(), v.region, "ivs", t + seconds(30), seconds(30)).ok);

  // The Date-header form is held to the same window.
  const Vector& d = vectors().at("date_header");
  EXPECT_TRUE(verify(d, d.time() + minutes(5), d.creds()).ok);
  EXPECT_NE(verify(d, d.time() + minutes(6), d.creds()).message.find("Signature expired"),
            std::string::npos);
}

TEST(SigV4Vectors, MissingAuthorization) {
  Vector v = vectors().at("create_stage");
  v.remove_header("authorization");
  const auto out = verify(v);
  EXPECT_EQ(out.error_type, "MissingAuthenticationTokenException");
  EXPECT_EQ(out.message, "Missing Authentication Token");
  EXPECT_EQ(out.http_status, 403);
  v.query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=abc";
  EXPECT_NE(verify(v).message.find("query-string authentication is not supported"),
            std::string::npos);
}

TEST(SigV4Vectors, MalformedAuthorization) {
  const Vector& base = vectors().at("create_stage");
  const std::string auth = base.header("authorization");
  const std::string sig = base.signature();
  const std::string cred = "Credential=" + base.akid + "/20240517/us-east-1/ivs/aws4_request";
  struct Case {
    std::string header;
    const char* expect;  // substring of the message
  };
  const Case cases[] = {
      {"", "Unsupported Authorization scheme"},
      {"Bearer abcdef", "Unsupported Authorization scheme"},
      {"AWS4-HMAC-SHA512 " + cred + ", SignedHeaders=host, Signature=" + sig,
       "Unsupported Authorization scheme"},
      {"AWS4-HMAC-SHA256", "requires 'Credential' parameter"},
      {"AWS4-HMAC-SHA256 " + cred, "requires 'Signature' parameter"},
      {"AWS4-HMAC-SHA256 " + cred + ", Signature=" + sig, "requires 'SignedHeaders' parameter"},
      {"AWS4-HMAC-SHA256 SignedHeaders=host, Signature=" + sig, "requires 'Credential' parameter"},
      {"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host, Signature=", "'Signature' parameter"},
      {"AWS4-HMAC-SHA256 Credential=" + base.akid +
           "/20240517/us-east-1/ivs, SignedHeaders=host, Signature=" + sig,
       "exactly 5 slash-delimited elements"},
      {"AWS4-HMAC-SHA256 Credential=/20240517/us-east-1/ivs/aws4_request, SignedHeaders=host, "
       "Signature=" +
           sig,
       "exactly 5 slash-delimited elements"},
      {"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=content-type;x-amz-date, Signature=" + sig,
       "'Host' must be a signed header"},
      {"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;;x-amz-date, Signature=" + sig,
       "empty header name"},
      {"AWS4-HMAC-SHA256 " + cred + ", " + cred + ", SignedHeaders=host, Signature=" + sig,
       "more than one 'Credential'"},
      {"AWS4-HMAC-SHA256 " + cred + ", SignedHeaders, Signature=" + sig, "key=value"},
  };
  for (const auto& c : cases) {
    Vector v = base;
    v.set_header("authorization", c.header);
    const auto out = verify(v);
    EXPECT_EQ(out.error_type, "IncompleteSignatureException") << c.header;
    EXPECT_NE(out.message.find(c.expect), std::string::npos) << c.header << " -> " << out.message;
  }
  // Both missing parts are named at once, as AWS does.
  Vector v = base;
  v.set_header("authorization", "AWS4-HMAC-SHA256 " + cred);
  const auto both = verify(v);
  EXPECT_NE(both.message.find("'Signature'"), std::string::npos);
  EXPECT_NE(both.message.find("'SignedHeaders'"), std::string::npos);
  // Two Authorization headers.
  v = base;
  v.headers.emplace_back("authorization", auth);
  EXPECT_EQ(verify(v).error_type, "IncompleteSignatureException");
}

TEST(SigV4Vectors, DateHeaders) {
  Vector v = vectors().at("create_stage");
  v.remove_header("x-amz-date");
  auto out = verify(v);
  EXPECT_EQ(out.error_type, "IncompleteSignatureException");
  EXPECT_NE(out.message.find("'X-Amz-Date' or a 'Date'"), std::string::npos);
  for (const char* bad : {"20240517T123456", "2024-05-17T12:34:56Z", "20241317T123456Z",
                          "20240230T123456Z", "20240517T243456Z", "20240517T12345aZ", "",
                          // Far outside the clock's range: malformed, not a skew (and no overflow,
                          // which UBSan reported before the year bound).
                          "24020516T123456Z", "99991231T235959Z", "19691231T235959Z"}) {
    v.set_header("x-amz-date", bad);
    out = verify(v);
    EXPECT_EQ(out.error_type, "IncompleteSignatureException") << bad;
    EXPECT_NE(out.message.find("ISO 8601"), std::string::npos) << bad;
  }
  Vector d = vectors().at("date_header");
  for (const char* bad : {"Fri, 17 May 2024 12:34:56 +0200", "17/05/2024",
                          "Fri, 17 Mai 2024 "
                          "12:34:56 GMT",
                          "Fri, 17 May 2724 12:34:56 -0000"}) {
    d.set_header("date", bad);
    EXPECT_EQ(verify(d).error_type, "IncompleteSignatureException") << bad;
  }
  // A client that puts its secret where a date belongs does not get it echoed whole (found by
  // the fuzz target); verify() checks every message for the configured secret.
  v.set_header("x-amz-date", "20" + v.secret + "0517T123456Z");
  EXPECT_EQ(verify(v).error_type, "IncompleteSignatureException");
  // X-Amz-Date wins over Date: a correct X-Amz-Date next to a garbage Date still verifies.
  v = vectors().at("create_stage");
  v.headers.emplace_back("Date", "garbage");
  EXPECT_TRUE(verify(v).ok);
}

TEST(SigV4Vectors, AuthorizationFormattingTolerance) {
  const Vector& base = vectors().at("untag_resource");
  const std::string auth = base.header("authorization");
  const auto parts_start = auth.find(' ') + 1;
  std::string no_spaces = auth;
  for (size_t p; (p = no_spaces.find(", ")) != std::string::npos;) no_spaces.erase(p + 1, 1);
  Vector v = base;
  v.set_header("authorization", no_spaces);
  EXPECT_TRUE(verify(v).ok) << no_spaces;
  // Components in another order, with extra blanks, and an unknown component ignored.
  const std::string cred = auth.substr(parts_start, auth.find(',') - parts_start);
  const std::string sh = "SignedHeaders=host;x-amz-date";
  v.set_header("authorization", "  AWS4-HMAC-SHA256 Signature=" + base.signature() + " ,  " + sh +
                                    ",Foo=bar, " + cred + "  ");
  EXPECT_TRUE(verify(v).ok) << v.header("authorization");
  // Header names in SignedHeaders are case-insensitive and the listing order does not matter.
  v.set_header("authorization",
               "AWS4-HMAC-SHA256 " + cred +
                   ", SignedHeaders=X-Amz-Date;Host, Signature=" + base.signature());
  EXPECT_TRUE(verify(v).ok) << v.header("authorization");
}

TEST(SigV4Vectors, WrongScope) {
  const Vector& base = vectors().at("create_stage");
  auto out = verify(base, base.time(), base.creds(), "eu-west-1");
  EXPECT_EQ(out.error_type, "InvalidSignatureException");
  EXPECT_NE(out.message.find("'us-east-1'"), std::string::npos) << out.message;
  EXPECT_NE(out.message.find("serves region 'eu-west-1'"), std::string::npos) << out.message;
  EXPECT_EQ(out.reason, "sigv4.bad_scope");

  out = verify(base, base.time(), base.creds(), "", "ivsrealtime");
  EXPECT_EQ(out.error_type, "InvalidSignatureException");
  EXPECT_NE(out.message.find("correct service: 'ivsrealtime'"), std::string::npos) << out.message;

  const auto replace = [&](const std::string& from, const std::string& to) {
    Vector v = base;
    std::string auth = v.header("authorization");
    auth.replace(auth.find(from), from.size(), to);
    v.set_header("authorization", auth);
    return verify(v);
  };
  out = replace("/aws4_request", "/aws5_request");
  EXPECT_EQ(out.error_type, "InvalidSignatureException");
  EXPECT_NE(out.message.find("valid terminator"), std::string::npos);
  out = replace("/20240517/", "/20240518/");
  EXPECT_EQ(out.error_type, "InvalidSignatureException");
  EXPECT_NE(out.message.find("Date in Credential scope does not match"), std::string::npos);
  EXPECT_NE(out.message.find("'20240518' != '20240517'"), std::string::npos) << out.message;
}

// Signs a request with the building blocks (themselves pinned to botocore above), to reach rules
// the botocore vectors cannot: a correctly signed but wrong x-amz-content-sha256, or a signed
// header the request no longer carries.
struct LocalSigner {
  std::string akid = "AKIDLOCAL", secret = "local/secret+key";
  void sign(Vector& v, const std::vector<std::string>& signed_headers) const {
    v.akid = akid;
    v.secret = secret;
    const std::string stamp = v.header("x-amz-date");
    auto cr = sigv4_canonical_request(v.request(), signed_headers, sha256_hex(v.body));
    ASSERT_TRUE(cr);
    const std::string scope = stamp.substr(0, 8) + "/us-east-1/ivs/aws4_request";
    const std::string sig = sigv4_signature(secret, stamp.substr(0, 8), "us-east-1", "ivs",
                                            sigv4_string_to_sign(stamp, scope, *cr));
    std::string list;
    for (const auto& h : signed_headers) list += (list.empty() ? "" : ";") + h;
    v.set_header("authorization", "AWS4-HMAC-SHA256 Credential=" + akid + "/" + scope +
                                      ", SignedHeaders=" + list + ", Signature=" + sig);
  }
};

Vector local_request() {
  Vector v;
  v.name = "local";
  v.region = "us-east-1";
  v.service = "ivs";
  v.now = "20240517T123456Z";
  v.method = "POST";
  v.path = "/CreateStage";
  v.body = R"({"name":"x"})";
  v.headers = {{"Host", "localhost:8080"}, {"X-Amz-Date", "20240517T123456Z"}};
  return v;
}

TEST(SigV4Local, ContentSha256MustMatchWhenSigned) {
  const LocalSigner signer;
  Vector v = local_request();
  v.headers.emplace_back("X-Amz-Content-SHA256", sha256_hex(v.body));
  signer.sign(v, {"host", "x-amz-content-sha256", "x-amz-date"});
  EXPECT_TRUE(verify(v).ok);

  for (const std::string& declared : {sha256_hex("other"), std::string("UNSIGNED-PAYLOAD")}) {
    v.set_header("x-amz-content-sha256", declared);
    signer.sign(v, {"host", "x-amz-content-sha256", "x-amz-date"});
    const auto out = verify(v);
    EXPECT_EQ(out.error_type, "InvalidSignatureException") << declared;
    EXPECT_EQ(out.reason, "sigv4.content_sha256_mismatch") << declared;
  }
  // Not signed: ignored, the server hashes the body itself.
  v.set_header("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
  signer.sign(v, {"host", "x-amz-date"});
  EXPECT_TRUE(verify(v).ok);
}

TEST(SigV4Local, DateHeaderZones) {
  const LocalSigner signer;
  for (const char* date : {"Fri, 17 May 2024 12:34:56 GMT", "Fri, 17 May 2024 12:34:56 UTC",
                           "17 May 2024 12:34:56 +0000"}) {
    Vector v = local_request();
    v.remove_header("x-amz-date");
    v.headers.emplace_back("Date", date);
    // The string to sign always carries the ISO 8601 form of the Date header.
    v.headers.emplace_back("X-Amz-Date", "20240517T123456Z");
    signer.sign(v, {"date", "host"});
    v.remove_header("x-amz-date");
    EXPECT_TRUE(verify(v).ok) << date;
  }
}

// Percent-encoding and dot-segment removal as botocore does them (values from
// quote(normalize_url_path(p), safe='/~') run in python3).
TEST(SigV4Canonical, UriTable) {
  const std::pair<const char*, const char*> table[] = {
      {"", "/"},
      {"/", "/"},
      {"//", "/"},
      {"/a/./b/../c", "/a/c"},
      {"/a/", "/a/"},
      {"/..", "/"},
      {"/a/..", "/"},
      {"a/b", "a/b"},
      {"/tags/arn%3Aaws%3Aivs", "/tags/arn%253Aaws%253Aivs"},
      {"/a b+c", "/a%20b%2Bc"},
      {"/~x_y-z.1", "/~x_y-z.1"},
      {"/\xc3\xa9", "/%C3%A9"},
      {"/a//b///", "/a/b/"},
      {"/../../x/..", "/"},
      {"/!*'();:@&=$,[]", "/%21%2A%27%28%29%3B%3A%40%26%3D%24%2C%5B%5D"},
  };
  for (const auto& [in, want] : table) EXPECT_EQ(sigv4_canonical_uri(in), want) << in;
}

TEST(SigV4Canonical, QueryTable) {
  const std::pair<const char*, const char*> table[] = {
      {"", ""},
      {"b=2&a=1", "a=1&b=2"},
      {"a=1&a=0", "a=0&a=1"},
      {"tagKeys=a&tagKeys=b%20c", "tagKeys=a&tagKeys=b%20c"},
      {"a=b+c", "a=b%2Bc"},  // RFC 3986, as the router decodes it; not a space
      {"a=b%2Bc&b=%20", "a=b%2Bc&b=%20"},
      {"a=%7e&b=%7E", "a=~&b=~"},
      {"a=%2f", "a=%2F"},
      {"a=x/y", "a=x%2Fy"},
      {"k", "k="},
      {"a=1&", "=&a=1"},
      {"a=%zz", "a=%25zz"},
      {"a=%4", "a=%254"},
      {"a=b=c", "a=b%3Dc"},
      {"Z=1&a=1&_=1", "Z=1&_=1&a=1"},
      {"%C3%BC=1&u=2", "%C3%BC=1&u=2"},
  };
  for (const auto& [in, want] : table) EXPECT_EQ(sigv4_canonical_query(in), want) << in;
}

}  // namespace
}  // namespace sg::gw
