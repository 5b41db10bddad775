// The guard against yaml-cpp's endless loop: it refuses exactly the tokens on which the library
// would never return (invalid YAML), with their position, and lets every valid use of ',' pass.
#include "config/yaml_guard.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "test_support.hpp"

namespace shardpipe::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(YamlGuard, CommasThatYamlAllowsPass) {
  const std::vector<std::string> valid = {
      "description: a, b\n",
      "description: a ,b\n",
      "description: a\n  , b continues the text\n",
      "plain text\n, continued at the top level\n",
      "topics: [a, b]\ntarget: {type: stdout, format: json}\n",
      "topics: [a\n  , b]\nmore:\n  [c\n  ,d]\n",
      "name: 'a, b'\nother: \", x\"\n",
      "# , a comment\nname: x # , another\n",
      "body: |\n  , first\n  [a]\n  ,\nnext: >\n  ,\n",
      "name: a\n---\nname: b\n",
      "",
  };
  for (const std::string& text : valid) {
    EXPECT_NO_THROW(YAML::LoadAll(text)) << text;  // the texts are valid YAML
    EXPECT_FALSE(find_unreadable_document_start(text).has_value()) << text;
  }
}

TEST(YamlGuard, CommaWhereADocumentWouldStartIsRefusedAtItsPosition) {
  struct Case {
    std::string text;
    int line;    // 1-based
    int column;  // 1-based
  };
  const std::vector<Case> hangs = {
      {",", 1, 1},
      {", a", 1, 1},
      {"[a]\n,", 2, 1},
      {"[a]\n  , b\n", 2, 3},
      {"{a: 1} ,", 1, 8},
      {"- a\n,\n", 2, 1},
      {"---\n,\n", 2, 1},
      {"name: x\n...\n,\n", 3, 1},
      // fuzz/corpus/pipe_file/yaml_cpp_comma_hang.yaml, found by the pipe-file fuzzer
      {std::string(" , type5: ${TOKer: &a [ {data: *a EN}stdout }\nfilte\x01\0\0\0a [ {\x88"
                   "ata\xba *a } ]\n",
                   73),
       1, 2},
  };
  for (const Case& hang : hangs) {
    std::optional<Problem> problem = find_unreadable_document_start(hang.text);
    ASSERT_TRUE(problem.has_value()) << hang.text;
    EXPECT_EQ(problem->mark.line + 1, hang.line) << hang.text;
    EXPECT_EQ(problem->mark.column + 1, hang.column) << hang.text;
    EXPECT_THAT(problem->message, HasSubstr("a ',' cannot start a value")) << hang.text;
  }
}

TEST(YamlGuard, OtherSyntaxErrorsAreLeftToTheLoader) {
  for (const char* text : {"name: x\n, y\n", "a: , b\n", "topics: [a, b\n", "- a\n- , b\n"}) {
    EXPECT_FALSE(find_unreadable_document_start(text).has_value()) << text;
  }
}

TEST(YamlGuard, TheLoaderReportsItLikeAnyOtherSyntaxError) {
  EXPECT_THAT(test_support::errors_of("{name: orders, target: {type: stdout}}\n,\n"),
              ElementsAre("pipe.yaml:2:1: error: invalid YAML: a ',' cannot start a value; "
                          "outside [ ] and { } a comma belongs inside text, so remove it, or "
                          "quote the text that starts with it"));
}

}  // namespace
}  // namespace shardpipe::config
