// SigV4 against AWS's published examples, step by step: canonical request, string to sign and
// Authorization header. The expected texts are AWS's test data, copied as published:
// - the "aws-sig-v4-test-suite"
// (docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html,
//   its 2015 edition: AKIDEXAMPLE, us-east-1, service "service", 20150830T123600Z);
// - the IAM ListUsers example of the Signature Version 4 signing guide;
// - the S3 "GET Object" and "PUT Object" examples of the S3 API reference
//   (sig-v4-header-based-auth), where the path is encoded once and not normalised.
#include "aws/sigv4.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <ostream>
#include <string>
#include <vector>

namespace shardpipe::aws {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

const Credentials suite_credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
const auto suite_time = sys_days{2015y / August / 30} + 12h + 36min;
const SigningScope suite_scope{"us-east-1", "service", suite_time};
const std::string empty_hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// The suite's session token (post-sts-token).
const std::string suite_token =
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSP"
    "fIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT"
    "7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlz"
    "m8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

struct Vector {
  std::string name;
  CanonicalInput input;
  std::string canonical_request;
  std::string string_to_sign;
  std::string authorization;
  Credentials credentials = suite_credentials;
  SigningScope scope = suite_scope;
};

std::string sts(const std::string& hash) {
  return "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n" + hash;
}
std::string authz(const std::string& signed_headers, const std::string& signature) {
  return "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
         "SignedHeaders=" +
         signed_headers + ", Signature=" + signature;
}

// A request of the suite: Host and X-Amz-Date, then the case's own headers.
CanonicalInput suite_request(std::string method, std::string path, std::string query = "",
                             std::vector<net::Header> extra = {}, std::string body = "") {
  std::vector<net::Header> headers = {{"Host", "example.amazonaws.com"}};
  headers.insert(headers.end(), extra.begin(), extra.end());
  headers.push_back({"X-Amz-Date", "20150830T123600Z"});
  return {std::move(method), std::move(path), std::move(query), std::move(headers),
          sha256_hex(body)};
}

std::vector<Vector> vectors() {
  std::vector<Vector> all = {
      {"get-vanilla", suite_request("GET", "/"),
       "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" +
           empty_hash,
       sts("bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"),
       authz("host;x-amz-date",
             "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")},
      {"get-vanilla-query", suite_request("GET", "/"),
       "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" +
           empty_hash,
       sts("bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"),
       authz("host;x-amz-date",
             "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")},
      {"get-vanilla-query-order-key-case", suite_request("GET", "/", "Param2=value2&Param1=value1"),
       "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\n"
       "x-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" +
           empty_hash,
       sts("816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0"),
       authz("host;x-amz-date",
             "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")},
      {"get-vanilla-query-unreserved",
       suite_request("GET", "/",
                     "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz="
                     "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"),
       "GET\n/\n-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz="
       "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\n"
       "host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" +
           empty_hash,
       sts("c30d4703d9f799439be92736156d47ccfb2d879ddf56f5befa6d1d6aab979177"),
       authz("host;x-amz-date",
             "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197")},
      {"get-vanilla-utf8-query", suite_request("GET", "/", "\xE1\x88\xB4=bar"),
       "GET\n/\n%E1%88%B4=bar\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
       "host;x-amz-date\n" +
           empty_hash,
       sts("eb30c5bed55734080471a834cc727ae56beb50e5f39d1bff6d0d38cb192a7073"),
       authz("host;x-amz-date",
             "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04")},
      {"get-header-key-duplicate",
       suite_request(
           "GET", "/", "",
           {{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}}),
       "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value2,value2,value1\n"
       "x-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\n" +
           empty_hash,
       sts("dc7f04a3abfde8d472b0ab1a418b741b7c67174dad1551b4117b15527fbe966c"),
       authz("host;my-header1;x-amz-date",
             "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea")},
      {"get-header-value-order",
       suite_request("GET", "/", "",
                     {{"My-Header1", "value4"},
                      {"My-Header1", "value1"},
                      {"My-Header1", "value3"},
                      {"My-Header1", "value2"}}),
       "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value4,value1,value3,value2\n"
       "x-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\n" +
           empty_hash,
       sts("31ce73cd3f3d9f66977ad3dd957dc47af14df92fcd8509f59b349e9137c58b86"),
       authz("host;my-header1;x-amz-date",
             "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01")},
      {"get-header-value-trim",
       suite_request("GET", "/", "", {{"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""}}),
       "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\n"
       "x-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\n" +
           empty_hash,
       sts("a726db9b0df21c14f559d0a978e563112acb1b9e05476f0a6a1c7d68f28605c7"),
       authz("host;my-header1;my-header2;x-amz-date",
             "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736")},
      {"get-unreserved",
       suite_request("GET", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"),
       "GET\n/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\n\n"
       "host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" +
           empty_hash,
       sts("6a968768eefaa713e2a6b16b589a8ea192661f098f37349f4e2c0082757446f9"),
       authz("host;x-amz-date",
             "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f")},
      {"get-utf8", suite_request("GET", "/\xE1\x88\xB4"),
       "GET\n/%E1%88%B4\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
       "host;x-amz-date\n" +
           empty_hash,
       sts("2a0a97d02205e45ce2e994789806b19270cfbbb0921b278ccf58f5249ac42102"),
       authz("host;x-amz-date",
             "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85")},
      // normalize-path/*
      {"get-space", suite_request("GET", "/example space/"),
       "GET\n/example%20space/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
       "host;x-amz-date\n" +
           empty_hash,
       sts("63ee75631ed7234ae61b5f736dfc7754cdccfedbff4b5128a915706ee9390d86"),
       authz("host;x-amz-date",
             "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741")},
      {"get-relative", suite_request("GET", "/example/.."),
       "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" +
           empty_hash,
       sts("bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"),
       authz("host;x-amz-date",
             "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")},
      {"get-relative-relative", suite_request("GET", "/example1/example2/../.."),
       "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" +
           empty_hash,
       sts("bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"),
       authz("host;x-amz-date",
             "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")},
      {"get-slash", suite_request("GET", "//"),
       "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" +
           empty_hash,
       sts("bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"),
       authz("host;x-amz-date",
             "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")},
      {"get-slash-dot-slash", suite_request("GET", "/./"),
       "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" +
           empty_hash,
       sts("bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"),
       authz("host;x-amz-date",
             "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")},
      {"get-slash-pointless-dot", suite_request("GET", "/./example"),
       "GET\n/example\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
       "host;x-amz-date\n" +
           empty_hash,
       sts("214d50c111a8edc4819da6a636336472c916b5240f51e9a51b5c3305180cf702"),
       authz("host;x-amz-date",
             "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5")},
      {"get-slashes", suite_request("GET", "//example//"),
       "GET\n/example/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
       "host;x-amz-date\n" +
           empty_hash,
       sts("cb96b4ac96d501f7c5c15bc6d67b3035061cfced4af6585ad927f7e6c985c015"),
       authz("host;x-amz-date",
             "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84")},
      {"post-vanilla", suite_request("POST", "/"),
       "POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" +
           empty_hash,
       sts("553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87"),
       authz("host;x-amz-date",
             "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")},
      {"post-vanilla-query", suite_request("POST", "/", "Param1=value1"),
       "POST\n/\nParam1=value1\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
       "host;x-amz-date\n" +
           empty_hash,
       sts("9d659678c1756bb3113e2ce898845a0a79dbbc57b740555917687f1b3340fbbd"),
       authz("host;x-amz-date",
             "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11")},
      {"post-header-key-sort", suite_request("POST", "/", "", {{"My-Header1", "value1"}}),
       "POST\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nx-amz-date:20150830T123600Z\n\n"
       "host;my-header1;x-amz-date\n" +
           empty_hash,
       sts("9368318c2967cf6de74404b30c65a91e8f6253e0a8659d6d5319f1a812f87d65"),
       authz("host;my-header1;x-amz-date",
             "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c")},
      {"post-header-value-case", suite_request("POST", "/", "", {{"My-Header1", "VALUE1"}}),
       "POST\n/\n\nhost:example.amazonaws.com\nmy-header1:VALUE1\nx-amz-date:20150830T123600Z\n\n"
       "host;my-header1;x-amz-date\n" +
           empty_hash,
       sts("d51ced243e649e3de6ef63afbbdcbca03131a21a7103a1583706a64618606a93"),
       authz("host;my-header1;x-amz-date",
             "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d")},
      {"post-x-www-form-urlencoded",
       suite_request("POST", "/", "", {{"Content-Type", "application/x-www-form-urlencoded"}},
                     "Param1=value1"),
       "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\n"
       "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n"
       "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
       sts("42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281"),
       authz("content-type;host;x-amz-date",
             "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a")},
      {"post-x-www-form-urlencoded-parameters",
       suite_request("POST", "/", "",
                     {{"Content-Type", "application/x-www-form-urlencoded; charset=utf8"}},
                     "Param1=value1"),
       "POST\n/\n\ncontent-type:application/x-www-form-urlencoded; charset=utf8\n"
       "host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n"
       "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
       sts("2e1cf7ed91881a30569e46552437e4156c823447bf1781b921b5d486c568dd1c"),
       authz("content-type;host;x-amz-date",
             "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe")},
      // post-sts-token/post-sts-header-after: the token header is added after signing, so the
      // signature is post-vanilla's.
      {"post-sts-header-after",
       suite_request("POST", "/"),
       "POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" +
           empty_hash,
       sts("553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87"),
       authz("host;x-amz-date", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
       {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", suite_token}},
      // post-sts-token/post-sts-header-before: the token is signed, as sign_request does.
      {"post-sts-header-before",
       suite_request("POST", "/", "", {{"X-Amz-Security-Token", suite_token}}),
       "POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n"
       "x-amz-security-token:" +
           suite_token + "\n\nhost;x-amz-date;x-amz-security-token\n" + empty_hash,
       sts("c237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6"),
       authz("host;x-amz-date;x-amz-security-token",
             "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"),
       {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", suite_token}},
  };

  // IAM ListUsers, from the signing guide ("Create a canonical request" and the next steps).
  all.push_back(
      {"iam-list-users",
       {"GET",
        "/",
        "Action=ListUsers&Version=2010-05-08",
        {{"Host", "iam.amazonaws.com"},
         {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
         {"X-Amz-Date", "20150830T123600Z"}},
        empty_hash},
       "GET\n/\nAction=ListUsers&Version=2010-05-08\n"
       "content-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\n"
       "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n" +
           empty_hash,
       "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n"
       "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
       "SignedHeaders=content-type;host;x-amz-date, "
       "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
       suite_credentials,
       {"us-east-1", "iam", suite_time}});

  // S3's examples. The reference writes the header without blanks after its commas; AWS accepts
  // both forms, and the signature is the same.
  const Credentials s3_credentials{"AKIAIOSFODNN7EXAMPLE",
                                   "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
  const SigningScope s3_scope{"us-east-1", "s3", sys_days{2013y / May / 24}};
  all.push_back(
      {"s3-get-object",
       {"GET",
        "/test.txt",
        "",
        {{"Host", "examplebucket.s3.amazonaws.com"},
         {"Range", "bytes=0-9"},
         {"x-amz-content-sha256", empty_hash},
         {"x-amz-date", "20130524T000000Z"}},
        empty_hash,
        false},
       "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
       "x-amz-content-sha256:" +
           empty_hash +
           "\nx-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n" +
           empty_hash,
       "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
       "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972",
       "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
       "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
       "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
       s3_credentials,
       s3_scope});
  const std::string put_hash = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072";
  all.push_back(
      {"s3-put-object",
       {"PUT",
        "/test$file.text",
        "",
        {{"Host", "examplebucket.s3.amazonaws.com"},
         {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
         {"x-amz-date", "20130524T000000Z"},
         {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
         {"x-amz-content-sha256", put_hash}},
        put_hash,
        false},
       "PUT\n/test%24file.text\n\ndate:Fri, 24 May 2013 00:00:00 GMT\n"
       "host:examplebucket.s3.amazonaws.com\nx-amz-content-sha256:" +
           put_hash +
           "\nx-amz-date:20130524T000000Z\nx-amz-storage-class:REDUCED_REDUNDANCY\n\n"
           "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class\n" +
           put_hash,
       "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
       "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d",
       "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
       "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, "
       "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
       s3_credentials,
       s3_scope});
  return all;
}

// Test names and failures show the vector's name, not its bytes.
void PrintTo(const Vector& vector, std::ostream* out) {
  *out << vector.name;
}

class PublishedVector : public ::testing::TestWithParam<Vector> {};

TEST_P(PublishedVector, CanonicalRequest) {
  EXPECT_EQ(canonical_request(GetParam().input), GetParam().canonical_request);
}

TEST_P(PublishedVector, StringToSign) {
  const auto& vector = GetParam();
  EXPECT_EQ(string_to_sign(vector.canonical_request, vector.scope), vector.string_to_sign);
}

TEST_P(PublishedVector, AuthorizationHeader) {
  const auto& vector = GetParam();
  EXPECT_EQ(authorization_header(vector.input, vector.credentials, vector.scope),
            vector.authorization);
}

std::string vector_name(const ::testing::TestParamInfo<Vector>& info) {
  std::string name;
  for (char c : info.param.name) name += c == '-' ? '_' : c;
  return name;
}

INSTANTIATE_TEST_SUITE_P(Aws, PublishedVector, ::testing::ValuesIn(vectors()), vector_name);

TEST(Sha256, MatchesThePublishedPayloadHashes) {
  EXPECT_EQ(sha256_hex(""), empty_hash);
  EXPECT_EQ(sha256_hex("Param1=value1"),
            "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
  // The body of S3's PUT Object example.
  EXPECT_EQ(sha256_hex("Welcome to Amazon S3."),
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
}

TEST(Signature, MatchesTheIamExample) {
  EXPECT_EQ(signature("AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n"
                      "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59",
                      "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", {"us-east-1", "iam", suite_time}),
            "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
}

const net::Header* find_header(const net::Request& request, std::string_view name) {
  for (const auto& header : request.headers) {
    if (header.name == name) return &header;
  }
  return nullptr;
}

int count_header(const net::Request& request, std::string_view name) {
  int n = 0;
  for (const auto& header : request.headers) n += header.name == name;
  return n;
}

TEST(SignRequest, AddsHostDateAndAuthorization) {
  net::Request request{.method = "GET", .url = "https://example.amazonaws.com/", .body = ""};
  sign_request(request, suite_credentials, suite_scope);
  ASSERT_NE(find_header(request, "Host"), nullptr);
  EXPECT_EQ(find_header(request, "Host")->value, "example.amazonaws.com");
  ASSERT_NE(find_header(request, "X-Amz-Date"), nullptr);
  EXPECT_EQ(find_header(request, "X-Amz-Date")->value, "20150830T123600Z");
  ASSERT_NE(find_header(request, "Authorization"), nullptr);
  // get-vanilla
  EXPECT_EQ(
      find_header(request, "Authorization")->value,
      authz("host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
  EXPECT_EQ(find_header(request, "X-Amz-Security-Token"), nullptr);
}

TEST(SignRequest, TakesPathAndQueryFromTheUrl) {
  net::Request request{.method = "GET",
                       .url = "https://example.amazonaws.com/?Param2=value2&Param1=value1"};
  sign_request(request, suite_credentials, suite_scope);
  // get-vanilla-query-order-key-case
  EXPECT_EQ(
      find_header(request, "Authorization")->value,
      authz("host;x-amz-date", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"));
}

TEST(SignRequest, SignsTheSessionToken) {
  net::Request request{.method = "POST", .url = "https://example.amazonaws.com/"};
  sign_request(request, {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", suite_token},
               suite_scope);
  ASSERT_NE(find_header(request, "X-Amz-Security-Token"), nullptr);
  EXPECT_EQ(find_header(request, "X-Amz-Security-Token")->value, suite_token);
  // post-sts-header-before
  EXPECT_EQ(find_header(request, "Authorization")->value,
            authz("host;x-amz-date;x-amz-security-token",
                  "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"));
}

TEST(SignRequest, SignsTheBody) {
  net::Request request{.method = "POST",
                       .url = "https://example.amazonaws.com/",
                       .headers = {{"Content-Type", "application/x-www-form-urlencoded"}},
                       .body = "Param1=value1"};
  sign_request(request, suite_credentials, suite_scope);
  // post-x-www-form-urlencoded
  EXPECT_EQ(find_header(request, "Authorization")->value,
            authz("content-type;host;x-amz-date",
                  "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"));
}

TEST(SignRequest, S3SignsThePayloadHashAndKeepsThePath) {
  const Credentials credentials{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                                ""};
  const SigningScope scope{"us-east-1", "s3", sys_days{2013y / May / 24}};

  net::Request get{.method = "GET",
                   .url = "https://examplebucket.s3.amazonaws.com/test.txt",
                   .headers = {{"Range", "bytes=0-9"}}};
  sign_request(get, credentials, scope);
  ASSERT_NE(find_header(get, "x-amz-content-sha256"), nullptr);
  EXPECT_EQ(find_header(get, "x-amz-content-sha256")->value, empty_hash);
  EXPECT_EQ(find_header(get, "Authorization")->value,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");

  net::Request put{.method = "PUT",
                   .url = "https://examplebucket.s3.amazonaws.com/test$file.text",
                   .headers = {{"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                               {"x-amz-storage-class", "REDUCED_REDUNDANCY"}},
                   .body = "Welcome to Amazon S3."};
  sign_request(put, credentials, scope);
  EXPECT_EQ(find_header(put, "Authorization")->value,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, "
            "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SignRequest, SigningAgainReplacesTheEarlierSignature) {
  net::Request request{.method = "GET", .url = "https://example.amazonaws.com/"};
  sign_request(request, suite_credentials, {"us-east-1", "service", suite_time - 1h});
  sign_request(request, suite_credentials, suite_scope);
  EXPECT_EQ(count_header(request, "Authorization"), 1);
  EXPECT_EQ(count_header(request, "X-Amz-Date"), 1);
  EXPECT_EQ(count_header(request, "Host"), 1);
  EXPECT_EQ(
      find_header(request, "Authorization")->value,
      authz("host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
}

TEST(SignRequest, HostKeepsAPortAndDropsUserInformation) {
  net::Request request{.method = "POST", .url = "http://user@127.0.0.1:4566/?x=1#part"};
  sign_request(request, suite_credentials, suite_scope);
  EXPECT_EQ(find_header(request, "Host")->value, "127.0.0.1:4566");
}

// Beyond the suite: cases its vectors leave open, from the rules of the canonical form.
TEST(CanonicalRequest, PathRules) {
  auto path_of = [](std::string path, bool normalize) {
    const auto text = canonical_request({"GET", std::move(path), "", {}, empty_hash, normalize});
    return text.substr(4, text.find('\n', 4) - 4);
  };
  EXPECT_EQ(path_of("", true), "/");
  EXPECT_EQ(path_of("/a/b/..", true), "/a/");
  EXPECT_EQ(path_of("/a/./b", true), "/a/b");
  EXPECT_EQ(path_of("/../a", true), "/a");
  // Services other than S3 encode the path as sent once more.
  EXPECT_EQ(path_of("/a%20b", true), "/a%2520b");
  // S3 encodes the key exactly once, and keeps dots and double slashes.
  EXPECT_EQ(path_of("/bucket/key%20name", false), "/bucket/key%20name");
  EXPECT_EQ(path_of("/bucket/key name", false), "/bucket/key%20name");
  EXPECT_EQ(path_of("/bucket//a/../b", false), "/bucket//a/../b");
}

TEST(CanonicalRequest, QueryRules) {
  auto query_of = [](std::string query) {
    const auto text = canonical_request({"GET", "/", std::move(query), {}, empty_hash});
    const size_t start = text.find('\n', 4) + 1;
    return text.substr(start, text.find('\n', start) - start);
  };
  EXPECT_EQ(query_of("b=2&a=1&a=0"), "a=0&a=1&b=2");
  EXPECT_EQ(query_of("flag&x="), "flag=&x=");
  EXPECT_EQ(query_of("k=a%20b&k2=a b"), "k=a%20b&k2=a%20b");
  EXPECT_EQ(query_of("p=a+b&q=%2F"), "p=a%2Bb&q=%2F");
}

}  // namespace
}  // namespace shardpipe::aws
