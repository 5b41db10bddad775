// The shipped Grafana dashboard and Prometheus alert rules must be well formed and must query
// only metrics that shardpipe exposes: renaming a metric in the catalog without updating them
// fails here.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "pipeline/metric_catalog.hpp"
#include "process.hpp"

namespace shardpipe {
namespace {

using ::testing::HasSubstr;

const std::filesystem::path kSourceDir(SHARDPIPE_SOURCE_DIR);
const std::filesystem::path kDashboard = kSourceDir / "docs/grafana/shardpipe-dashboard.json";
const std::filesystem::path kAlerts = kSourceDir / "docs/alerts/shardpipe-alerts.yaml";

bool name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':';
}

// Every identifier in `expr` that starts with `shardpipe_` (and is not the tail of a longer one).
std::vector<std::string> shardpipe_identifiers(std::string_view expr) {
  std::vector<std::string> names;
  constexpr std::string_view prefix = "shardpipe_";
  for (size_t at = expr.find(prefix); at != std::string_view::npos;
       at = expr.find(prefix, at + 1)) {
    if (at > 0 && name_char(expr[at - 1])) continue;
    size_t end = at;
    while (end < expr.size() && name_char(expr[end])) ++end;
    names.emplace_back(expr.substr(at, end - at));
  }
  return names;
}

// The problems of one expression: names no family has, and histogram families used by their
// bare name (which has no series). Empty when every name resolves.
std::vector<std::string> unknown_metrics(std::string_view expr) {
  std::vector<std::string> problems;
  for (const std::string& name : shardpipe_identifiers(expr)) {
    const MetricFamily* family = metric_family_of_series(name);
    if (family == nullptr) {
      problems.push_back(name + " is not in the metric catalog");
    } else if (family->type == observe::MetricType::histogram && name == family->name) {
      problems.push_back(name + " is a histogram: query its _bucket, _sum or _count series");
    }
  }
  return problems;
}

// The families an expression uses.
std::set<std::string_view> families_in(std::string_view expr) {
  std::set<std::string_view> families;
  for (const std::string& name : shardpipe_identifiers(expr)) {
    if (const MetricFamily* family = metric_family_of_series(name)) families.insert(family->name);
  }
  return families;
}

std::set<std::string_view> all_families() {
  std::set<std::string_view> names;
  for (const MetricFamily* family : metric_catalog) names.insert(family->name);
  return names;
}

TEST(MonitoringAssets, TheNameCheckRejectsNamesOutsideTheCatalog) {
  EXPECT_THAT(shardpipe_identifiers("sum by (pipe) (rate(shardpipe_records_read_total{pipe=~\"a\"}"
                                    "[5m])) / on(pipe) shardpipe_leases_held"),
              ::testing::ElementsAre("shardpipe_records_read_total", "shardpipe_leases_held"));
  EXPECT_TRUE(shardpipe_identifiers("up{job=\"shardpipe\"} == 0").empty());
  EXPECT_TRUE(shardpipe_identifiers("my_shardpipe_total").empty());

  EXPECT_TRUE(unknown_metrics("rate(shardpipe_records_read_total[5m])").empty());
  EXPECT_TRUE(unknown_metrics("rate(shardpipe_batch_duration_seconds_bucket[5m])").empty());
  // A renamed metric, a suffix on a counter, and a histogram's bare name are all caught.
  EXPECT_THAT(unknown_metrics("rate(shardpipe_records_red_total[5m])"),
              ::testing::ElementsAre(HasSubstr("shardpipe_records_red_total")));
  EXPECT_EQ(unknown_metrics("shardpipe_leases_held_count").size(), 1u);
  EXPECT_EQ(unknown_metrics("rate(shardpipe_batch_duration_seconds[5m])").size(), 1u);
}

// Every PromQL expression of the dashboard, with where it was found.
struct Query {
  std::string where;
  std::string expr;
};

std::vector<Query> dashboard_queries(const nlohmann::json& dashboard) {
  std::vector<Query> queries;
  for (const auto& panel : dashboard.at("panels")) {
    if (!panel.contains("targets")) continue;
    for (const auto& target : panel.at("targets")) {
      queries.push_back({"panel '" + panel.value("title", std::string()) + "' target " +
                             target.value("refId", std::string()),
                         target.value("expr", std::string())});
    }
  }
  for (const auto& variable : dashboard.at("templating").at("list")) {
    if (variable.value("type", std::string()) != "query") continue;
    const auto& query = variable.at("query");
    queries.push_back(
        {"variable " + variable.value("name", std::string()),
         query.is_string() ? query.get<std::string>() : query.value("query", std::string())});
  }
  return queries;
}

nlohmann::json load_dashboard() {
  return nlohmann::json::parse(testing::read_file(kDashboard));
}

TEST(MonitoringAssets, DashboardIsAGrafanaDashboard) {
  nlohmann::json dashboard;
  ASSERT_NO_THROW(dashboard = load_dashboard()) << kDashboard;
  ASSERT_TRUE(dashboard.is_object());
  EXPECT_FALSE(dashboard.value("title", std::string()).empty());
  EXPECT_FALSE(dashboard.value("uid", std::string()).empty());
  ASSERT_TRUE(dashboard.contains("schemaVersion") && dashboard["schemaVersion"].is_number());
  EXPECT_GE(dashboard["schemaVersion"].get<int>(), 36);
  ASSERT_TRUE(dashboard.contains("time"));
  EXPECT_TRUE(dashboard["time"].contains("from") && dashboard["time"].contains("to"));

  // Templating: a Prometheus data source variable and the pipe variable.
  ASSERT_TRUE(dashboard.contains("templating") && dashboard["templating"].contains("list"));
  const auto& variables = dashboard["templating"]["list"];
  ASSERT_TRUE(variables.is_array());
  bool datasource_variable = false;
  bool pipe_variable = false;
  for (const auto& variable : variables) {
    if (variable.value("name", std::string()) == "datasource") {
      EXPECT_EQ(variable.value("type", std::string()), "datasource");
      EXPECT_EQ(variable.value("query", std::string()), "prometheus");
      datasource_variable = true;
    }
    if (variable.value("name", std::string()) == "pipe") {
      EXPECT_EQ(variable.value("type", std::string()), "query");
      EXPECT_EQ(variable.at("datasource").value("uid", std::string()), "${datasource}");
      EXPECT_EQ(variable.value("definition", std::string()),
                "label_values(shardpipe_records_read_total, pipe)");
      pipe_variable = true;
    }
  }
  EXPECT_TRUE(datasource_variable);
  EXPECT_TRUE(pipe_variable);

  // Panels: unique ids; each one that is not a row has a grid position, the data source
  // variable and targets with an expression and a refId unique within the panel.
  ASSERT_TRUE(dashboard.contains("panels") && dashboard["panels"].is_array());
  std::set<int> ids;
  int graphs = 0;
  for (const auto& panel : dashboard["panels"]) {
    std::string title = panel.value("title", std::string());
    SCOPED_TRACE("panel '" + title + "'");
    ASSERT_TRUE(panel.contains("id") && panel["id"].is_number_integer());
    EXPECT_TRUE(ids.insert(panel["id"].get<int>()).second) << "duplicate panel id";
    EXPECT_FALSE(title.empty());
    ASSERT_TRUE(panel.contains("gridPos"));
    for (const char* key : {"h", "w", "x", "y"}) EXPECT_TRUE(panel["gridPos"].contains(key));
    EXPECT_LE(panel["gridPos"].value("x", 0) + panel["gridPos"].value("w", 0), 24);
    std::string type = panel.value("type", std::string());
    EXPECT_FALSE(type.empty());
    if (type == "row") continue;
    ++graphs;
    EXPECT_EQ(panel.at("datasource").value("uid", std::string()), "${datasource}");
    ASSERT_TRUE(panel.contains("targets") && panel["targets"].is_array());
    EXPECT_FALSE(panel["targets"].empty());
    std::set<std::string> ref_ids;
    for (const auto& target : panel["targets"]) {
      std::string expr = target.value("expr", std::string());
      EXPECT_FALSE(expr.empty());
      EXPECT_TRUE(ref_ids.insert(target.value("refId", std::string())).second) << "duplicate refId";
      EXPECT_EQ(target.at("datasource").value("uid", std::string()), "${datasource}");
      // Every query follows the pipe variable.
      EXPECT_THAT(expr, HasSubstr("pipe=~\"$pipe\"")) << expr;
    }
  }
  EXPECT_GE(graphs, 10);
}

TEST(MonitoringAssets, DashboardQueriesOnlyCatalogMetricsAndShowsEveryFamily) {
  auto dashboard = load_dashboard();
  std::set<std::string_view> shown;
  for (const Query& query : dashboard_queries(dashboard)) {
    EXPECT_FALSE(query.expr.empty()) << query.where;
    for (const std::string& problem : unknown_metrics(query.expr)) {
      ADD_FAILURE() << kDashboard.filename() << ", " << query.where << ": " << problem
                    << "\n  expr: " << query.expr;
    }
    auto families = families_in(query.expr);
    shown.insert(families.begin(), families.end());
  }
  EXPECT_EQ(shown, all_families()) << "the dashboard should show every metric family";

  // Batch duration quantiles come from the histogram's buckets.
  std::string all_exprs;
  for (const Query& query : dashboard_queries(dashboard)) all_exprs += query.expr + "\n";
  EXPECT_THAT(all_exprs, HasSubstr("histogram_quantile(0.5, sum by (pipe, le) (rate("
                                   "shardpipe_batch_duration_seconds_bucket"));
  EXPECT_THAT(all_exprs, HasSubstr("histogram_quantile(0.99, sum by (pipe, le) (rate("
                                   "shardpipe_batch_duration_seconds_bucket"));
}

const std::regex kDuration("^([0-9]+(ms|s|m|h|d|w|y))+$");

TEST(MonitoringAssets, AlertRulesAreWellFormedAndQueryOnlyCatalogMetrics) {
  YAML::Node rules_file;
  ASSERT_NO_THROW(rules_file = YAML::LoadFile(kAlerts.string())) << kAlerts;
  ASSERT_TRUE(rules_file["groups"].IsSequence());
  ASSERT_GT(rules_file["groups"].size(), 0u);
  std::set<std::string> alert_names;
  std::map<std::string, std::set<std::string_view>> families_by_alert;
  for (const auto& group : rules_file["groups"]) {
    ASSERT_TRUE(group["name"].IsScalar());
    ASSERT_TRUE(group["rules"].IsSequence());
    for (const auto& rule : group["rules"]) {
      ASSERT_TRUE(rule["alert"].IsScalar()) << "only alerting rules are expected";
      std::string name = rule["alert"].as<std::string>();
      SCOPED_TRACE("alert " + name);
      EXPECT_TRUE(alert_names.insert(name).second) << "duplicate alert name";
      ASSERT_TRUE(rule["expr"].IsScalar());
      std::string expr = rule["expr"].as<std::string>();
      EXPECT_FALSE(expr.empty());
      if (rule["for"]) {
        EXPECT_TRUE(std::regex_match(rule["for"].as<std::string>(), kDuration))
            << rule["for"].as<std::string>();
      }
      ASSERT_TRUE(rule["labels"]["severity"].IsScalar());
      EXPECT_THAT((std::vector<std::string>{"critical", "warning", "info"}),
                  ::testing::Contains(rule["labels"]["severity"].as<std::string>()));
      ASSERT_TRUE(rule["annotations"]["summary"].IsScalar());
      EXPECT_FALSE(rule["annotations"]["summary"].as<std::string>().empty());
      for (const std::string& problem : unknown_metrics(expr)) {
        ADD_FAILURE() << kAlerts.filename() << ", alert " << name << ": " << problem
                      << "\n  expr: " << expr;
      }
      families_by_alert[name] = families_in(expr);
    }
  }

  // The alerts the monitoring guide promises, on the metrics they watch.
  auto watches = [&](const std::string& alert, std::string_view family) {
    auto found = families_by_alert.find(alert);
    return found != families_by_alert.end() && found->second.contains(family);
  };
  EXPECT_TRUE(watches("ShardpipeIteratorAgeHigh", metric::iterator_age.name));
  EXPECT_TRUE(watches("ShardpipeDeadLetters", metric::records_dead_lettered.name));
  EXPECT_TRUE(watches("ShardpipeDeliveryFailing", metric::delivery_attempts.name));
  EXPECT_TRUE(watches("ShardpipeNoSuccessfulDeliveries", metric::delivery_attempts.name));
  EXPECT_TRUE(watches("ShardpipeRecordsReadButNotHandled", metric::records_read.name));
  EXPECT_TRUE(watches("ShardpipeRecordsReadButNotHandled", metric::records_delivered.name));
  EXPECT_TRUE(watches("ShardpipeNoLeasesHeld", metric::leases_held.name));
  EXPECT_TRUE(watches("ShardpipeCheckpointsStalled", metric::checkpoints.name));

  // The guide's table of alerts names every rule.
  std::string guide = testing::read_file(kSourceDir / "docs/monitoring.md");
  for (const std::string& name : alert_names) {
    EXPECT_THAT(guide, HasSubstr("| `" + name + "` |")) << "docs/monitoring.md#alerts";
  }
}

}  // namespace
}  // namespace shardpipe
