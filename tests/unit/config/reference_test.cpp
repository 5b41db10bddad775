// docs/configuration.md is generated from the property tables and must not fall behind them.
#include "config/reference.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/properties.hpp"
#include "process.hpp"
#include "text_difference.hpp"

namespace shardpipe::config {
namespace {

const std::filesystem::path kReferenceFile =
    std::filesystem::path(SHARDPIPE_SOURCE_DIR) / "docs/configuration.md";

TEST(ConfigurationReference, DocsAreUpToDate) {
  std::string generated = configuration_reference_markdown();
  // Maintainers without the CLI can refresh the file by running this test with the variable set.
  if (std::getenv("SHARDPIPE_UPDATE_REFERENCE") != nullptr) {
    std::ofstream(kReferenceFile, std::ios::binary | std::ios::trunc) << generated;
  }
  std::string committed = testing::read_file(kReferenceFile);
  if (committed != generated) {
    FAIL() << "docs/configuration.md is stale: run 'shardpipe config reference > "
              "docs/configuration.md'\n"
           << testing::first_line_difference(committed, generated);
  }
}

TEST(ConfigurationReference, IsDeterministic) {
  EXPECT_EQ(configuration_reference_markdown(), configuration_reference_markdown());
}

TEST(ConfigurationReference, DocumentsEveryKeyOfEveryComponent) {
  std::string reference = configuration_reference_markdown();
  for (const Component& component : components()) {
    EXPECT_THAT(reference, ::testing::HasSubstr("## " + std::string(component.title) + "\n"));
    for (const Property& property : component.properties) {
      EXPECT_THAT(reference, ::testing::HasSubstr("| `" + std::string(property.key) + "` |"))
          << component.display_name();
    }
  }
}

TEST(ConfigurationReference, ShowsTypeDefaultLimitsAppliesToAndExample) {
  std::string reference = configuration_reference_markdown();
  EXPECT_THAT(reference,
              ::testing::HasSubstr("| `batch_size` | integer | `100` | 1..10000 | every type | "));
  EXPECT_THAT(reference, ::testing::HasSubstr("| `batch_size: 500` |\n"));
  EXPECT_THAT(reference, ::testing::HasSubstr("| `topics` | list of strings, or a comma-separated "
                                              "string | **required** |  | `kafka` | "));
  EXPECT_THAT(reference, ::testing::HasSubstr("`TRIM_HORIZON`, `LATEST`, `AT_TIMESTAMP`"));
  EXPECT_THAT(reference, ::testing::HasSubstr("| `maximum_record_age` | duration | `-1` | -1 or "
                                              "60s..7d |  | "));
}

}  // namespace
}  // namespace shardpipe::config
