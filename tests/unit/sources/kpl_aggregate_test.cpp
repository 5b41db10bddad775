// KPL aggregates taken apart: one written by awslabs' Node.js aggregation module, and hand-built
// ones (protobuf's CodedOutputStream) for what a producer may legally write and what must make a
// record count as not aggregated.
#include "sources/kinesis/kpl_aggregate.hpp"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/wire_format_lite.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <string>

namespace shardpipe::kinesis {
namespace {

using google::protobuf::internal::WireFormatLite;

// A protobuf message, written field by field.
class Proto {
 public:
  Proto& bytes(int field, std::string_view value) {
    write([&](auto& out) {
      out.WriteTag(WireFormatLite::MakeTag(field, WireFormatLite::WIRETYPE_LENGTH_DELIMITED));
      out.WriteVarint32(static_cast<uint32_t>(value.size()));
      out.WriteRaw(value.data(), static_cast<int>(value.size()));
    });
    return *this;
  }
  Proto& message(int field, const Proto& inner) { return bytes(field, inner.str()); }
  Proto& varint(int field, uint64_t value) {
    write([&](auto& out) {
      out.WriteTag(WireFormatLite::MakeTag(field, WireFormatLite::WIRETYPE_VARINT));
      out.WriteVarint64(value);
    });
    return *this;
  }
  Proto& fixed64(int field, uint64_t value) {
    write([&](auto& out) {
      out.WriteTag(WireFormatLite::MakeTag(field, WireFormatLite::WIRETYPE_FIXED64));
      out.WriteLittleEndian64(value);
    });
    return *this;
  }
  Proto& fixed32(int field, uint32_t value) {
    write([&](auto& out) {
      out.WriteTag(WireFormatLite::MakeTag(field, WireFormatLite::WIRETYPE_FIXED32));
      out.WriteLittleEndian32(value);
    });
    return *this;
  }
  // A group (deprecated, but a parser must still skip one) holding `inner`'s fields.
  Proto& group(int field, const Proto& inner) {
    write([&](auto& out) {
      out.WriteTag(WireFormatLite::MakeTag(field, WireFormatLite::WIRETYPE_START_GROUP));
      out.WriteRaw(inner.str().data(), static_cast<int>(inner.str().size()));
      out.WriteTag(WireFormatLite::MakeTag(field, WireFormatLite::WIRETYPE_END_GROUP));
    });
    return *this;
  }
  Proto& raw(std::string_view bytes) {
    text_.append(bytes);
    return *this;
  }
  const std::string& str() const { return text_; }

 private:
  template <typename Write>
  void write(Write body) {
    google::protobuf::io::StringOutputStream stream(&text_);  // appends
    google::protobuf::io::CodedOutputStream out(&stream);
    body(out);
  }
  std::string text_;
};

const std::string magic("\xF3\x89\x9A\xC2", 4);

std::string md5(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_md5(), nullptr);
  return std::string(reinterpret_cast<char*>(digest), size);
}

std::string aggregate(const Proto& message) {
  return magic + message.str() + md5(message.str());
}

Proto user_record(uint64_t key_index, std::string_view data) {
  Proto record;
  record.varint(1, key_index).bytes(3, data);
  return record;
}

std::string from_hex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

struct Plain {
  std::string partition_key, data;
  bool operator==(const Plain&) const = default;
  friend void PrintTo(const Plain& plain, std::ostream* out) {
    *out << "{" << ::testing::PrintToString(plain.partition_key) << ", "
         << ::testing::PrintToString(plain.data) << "}";
  }
};

std::vector<Plain> plain(const std::vector<KplUserRecord>& users) {
  std::vector<Plain> out;
  for (const auto& user : users)
    out.push_back({std::string(user.partition_key), std::string(user.data)});
  return out;
}

TEST(KplAggregate, ReadsAnAggregateWrittenByTheNodeJsAggregationModule) {
  // aws-kinesis-agg 4.2.8, RecordAggregator: key-a {"n":1}; key-b {"n":2} with the explicit hash
  // key 123456789; key-a 00 01 02 ff.
  auto data = from_hex(
      "f3899ac20a056b65792d610a056b65792d6212093132333435363738391a0b08001a077b226e223a317d1a0d"
      "080110001a077b226e223a327d1a0808001a04000102ff60769e1485d6804430714f399677972d");
  auto users = deaggregate_kpl(data);
  ASSERT_TRUE(users.has_value());
  EXPECT_EQ(plain(*users), (std::vector<Plain>{{"key-a", R"({"n":1})"},
                                               {"key-b", R"({"n":2})"},
                                               {"key-a", std::string("\0\1\2\xff", 4)}}));
}

TEST(KplAggregate, KeysComeFromTheTableWhereverItIsInTheMessage) {
  Proto message;
  message.message(3, user_record(1, "first"))
      .bytes(1, "key-0")
      .message(3, user_record(0, "second"))
      .bytes(1, "key-1")
      .message(3, user_record(1, ""));  // empty data is data
  auto data = aggregate(message);       // the user records are views into it
  auto users = deaggregate_kpl(data);
  ASSERT_TRUE(users.has_value());
  EXPECT_EQ(plain(*users),
            (std::vector<Plain>{{"key-1", "first"}, {"key-0", "second"}, {"key-1", ""}}));
}

TEST(KplAggregate, TagsAndExplicitHashKeysAreReadAndLeftOut) {
  Proto tag_with_value, tag_without_value;
  tag_with_value.bytes(1, "team").bytes(2, "orders");
  tag_without_value.bytes(1, "flag");
  Proto record;
  record.varint(1, 0)
      .varint(2, 1)
      .message(4, tag_with_value)
      .bytes(3, "payload")
      .message(4, tag_without_value);
  Proto message;
  message.bytes(1, "key")
      .bytes(2, "170141183460469231731687303715884105728")
      .bytes(2, "42")
      .message(3, record);
  auto data = aggregate(message);  // the user records are views into it
  auto users = deaggregate_kpl(data);
  ASSERT_TRUE(users.has_value());
  EXPECT_EQ(plain(*users), (std::vector<Plain>{{"key", "payload"}}));
}

TEST(KplAggregate, UnknownFieldsOfEveryWireTypeAreSkipped) {
  Proto group_body;
  group_body.varint(1, 7).bytes(2, "inside a group");
  Proto record;
  record.fixed32(9, 0xdeadbeef).varint(1, 0).bytes(15, "unknown bytes").bytes(3, "data");
  record.fixed64(10, 1).group(11, group_body);
  Proto message;
  message.varint(20, 1)
      .fixed64(21, 2)
      .fixed32(22, 3)
      .group(23, group_body)
      .bytes(24, "more")
      // Known numbers with another wire type are unknown fields too, as protobuf reads them.
      .varint(1, 5)
      .fixed32(3, 6)
      .bytes(1, "key")
      .message(3, record)
      .varint(5000, 1);
  auto data = aggregate(message);  // the user records are views into it
  auto users = deaggregate_kpl(data);
  ASSERT_TRUE(users.has_value());
  EXPECT_EQ(plain(*users), (std::vector<Plain>{{"key", "data"}}));
}

TEST(KplAggregate, AnAggregateOfNoUserRecordsHoldsNone) {
  Proto message;
  message.bytes(1, "key");
  auto data = aggregate(message);  // the user records are views into it
  auto users = deaggregate_kpl(data);
  ASSERT_TRUE(users.has_value());
  EXPECT_TRUE(users->empty());
}

TEST(KplAggregate, PlainDataIsNotAnAggregate) {
  EXPECT_FALSE(deaggregate_kpl(R"({"k":"key-1","n":1})"));
  EXPECT_FALSE(deaggregate_kpl(""));
  EXPECT_FALSE(deaggregate_kpl(magic));
  // The magic and an MD5 with no protobuf between them: the KCL does not take it either.
  EXPECT_FALSE(deaggregate_kpl(magic + md5("")));
  Proto message;
  message.bytes(1, "key").message(3, user_record(0, "data"));
  auto good = aggregate(message);
  ASSERT_TRUE(deaggregate_kpl(good));
  EXPECT_FALSE(deaggregate_kpl("x" + good.substr(1)));  // another magic
}

TEST(KplAggregate, AnMd5ThatDoesNotMatchIsNotAnAggregate) {
  Proto message;
  message.bytes(1, "key").message(3, user_record(0, "data"));
  auto data = aggregate(message);
  data.back() = static_cast<char>(data.back() ^ 1);
  EXPECT_FALSE(deaggregate_kpl(data));
  // A flipped byte of the protobuf, its MD5 left as it was.
  data = aggregate(message);
  data[6] = static_cast<char>(data[6] ^ 1);
  EXPECT_FALSE(deaggregate_kpl(data));
  // Cut short: the last 16 bytes are then not the MD5 of what precedes them.
  data = aggregate(message);
  EXPECT_FALSE(deaggregate_kpl(data.substr(0, data.size() - 1)));
}

// Bytes with a matching MD5 that protobuf would not parse.
TEST(KplAggregate, AProtobufThatDoesNotParseIsNotAnAggregate) {
  Proto keys_only;
  keys_only.bytes(1, "key");
  Proto whole = keys_only;
  whole.message(3, user_record(0, "some data"));
  for (size_t cut = 1; cut < whole.str().size(); ++cut) {
    if (cut == keys_only.str().size()) continue;  // a whole message: an aggregate of no records
    Proto truncated;
    truncated.raw(whole.str().substr(0, cut));
    EXPECT_FALSE(deaggregate_kpl(aggregate(truncated))) << "cut at " << cut;
  }
  // A record whose length says more than the message holds.
  Proto record_too_long;
  record_too_long.bytes(1, "key").raw("\x1a\x40").raw(user_record(0, "x").str());
  EXPECT_FALSE(deaggregate_kpl(aggregate(record_too_long)));
  // A zero tag, a group end with no start, a varint that never ends.
  EXPECT_FALSE(deaggregate_kpl(aggregate(Proto().bytes(1, "key").raw(std::string(1, '\0')))));
  EXPECT_FALSE(deaggregate_kpl(aggregate(Proto().bytes(1, "key").raw("\x0c"))));
  EXPECT_FALSE(deaggregate_kpl(aggregate(Proto().bytes(1, "key").raw("\x08\xff\xff"))));
}

TEST(KplAggregate, MissingRequiredFieldsOrKeysOutsideTheTablesAreNotAnAggregate) {
  auto with_record = [](const Proto& record) {
    Proto message;
    message.bytes(1, "key").bytes(2, "12345").message(3, record);
    return aggregate(message);
  };
  EXPECT_TRUE(deaggregate_kpl(with_record(user_record(0, "data"))));
  EXPECT_FALSE(deaggregate_kpl(with_record(Proto().bytes(3, "no key index"))));
  EXPECT_FALSE(deaggregate_kpl(with_record(Proto().varint(1, 0))));  // no data
  EXPECT_FALSE(deaggregate_kpl(with_record(user_record(1, "key index 1 of 1 key"))));
  EXPECT_FALSE(deaggregate_kpl(with_record(Proto().varint(1, 0).varint(2, 1).bytes(3, "d"))));
  EXPECT_TRUE(deaggregate_kpl(with_record(Proto().varint(1, 0).varint(2, 0).bytes(3, "d"))));
  // A tag needs its key.
  EXPECT_FALSE(deaggregate_kpl(
      with_record(Proto().varint(1, 0).bytes(3, "d").message(4, Proto().bytes(2, "value")))));
}

}  // namespace
}  // namespace shardpipe::kinesis
