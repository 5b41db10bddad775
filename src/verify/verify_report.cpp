#include "verify/verify_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

namespace shardpipe::verify {
namespace {

using json = nlohmann::ordered_json;

struct Totals {
  uint64_t expected = 0, in_target = 0, dead_lettered = 0, filtered = 0, missing = 0;
  uint64_t gaps = 0, duplicates = 0, repeated_dead_letters = 0, unexpected = 0;
  uint64_t beyond_checkpoint = 0, below_trim_horizon = 0;
};

Totals totals_of(const VerifyReport& report) {
  Totals totals;
  for (const auto& shard : report.shards) {
    const ShardReport& r = shard.report;
    totals.expected += r.expected;
    totals.in_target += r.in_target;
    totals.dead_lettered += r.dead_lettered;
    totals.filtered += r.filtered;
    totals.missing += r.missing;
    totals.gaps += r.gap_count;
    totals.duplicates += r.duplicates.count;
    totals.repeated_dead_letters += r.repeated_dead_letters.count;
    totals.unexpected += r.unexpected.count;
    totals.beyond_checkpoint += r.beyond_checkpoint;
    totals.below_trim_horizon += r.below_trim_horizon;
  }
  return totals;
}

json counts_json(const Totals& t) {
  return {{"expected", t.expected},
          {"inTarget", t.in_target},
          {"deadLettered", t.dead_lettered},
          {"filtered", t.filtered},
          {"missing", t.missing},
          {"gaps", t.gaps},
          {"duplicates", t.duplicates},
          {"repeatedDeadLetters", t.repeated_dead_letters},
          {"unexpected", t.unexpected},
          {"beyondCheckpoint", t.beyond_checkpoint},
          {"belowTrimHorizon", t.below_trim_horizon}};
}

json capped_json(const CappedSequences& list) {
  return {{"count", list.count}, {"sequenceNumbers", list.first}};
}

std::string range_text(const Gap& gap) {
  return gap.first == gap.last ? gap.first : fmt::format("{}..{}", gap.first, gap.last);
}

std::string plural(uint64_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

std::string listing(const CappedSequences& list) {
  std::string text = fmt::format("{}", fmt::join(list.first, ", "));
  if (list.count > list.first.size()) text += fmt::format(", ... ({} in all)", list.count);
  return text;
}

std::string summary(const VerifyReport& report, Verdict verdict, const Totals& t) {
  if (verdict == Verdict::clean) return "clean";
  std::vector<std::string> findings;
  if (t.gaps > 0) {
    findings.push_back(fmt::format("{} missing in {}", plural(t.missing, "record", "records"),
                                   plural(t.gaps, "gap", "gaps")));
  }
  if (t.duplicates > 0) {
    findings.push_back(
        plural(t.duplicates, "duplicate sequence number", "duplicate sequence numbers") +
        (report.parallelization_factor > 1
             ? fmt::format(" (allowed with parallelization_factor {})",
                           report.parallelization_factor)
             : ""));
  }
  if (t.unexpected > 0) {
    findings.push_back(plural(t.unexpected, "unexpected record", "unexpected records"));
  }
  if (report.problems.count > 0) {
    findings.push_back(plural(report.problems.count, "unreadable line", "unreadable lines"));
  }
  return fmt::format("{}: {}", verdict == Verdict::failed ? "FAILED" : "warnings",
                     fmt::join(findings, "; "));
}

}  // namespace

Verdict verdict_of(const VerifyReport& report) {
  Totals t = totals_of(report);
  if (t.gaps > 0 || t.unexpected > 0 || report.problems.count > 0) return Verdict::failed;
  // The file target promises every record exactly once only with parallelization_factor 1.
  if (t.duplicates > 0) {
    return report.parallelization_factor == 1 ? Verdict::failed : Verdict::warnings;
  }
  return Verdict::clean;
}

std::string verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::clean:
      return "clean";
    case Verdict::warnings:
      return "warnings";
    case Verdict::failed:
      return "failed";
  }
  return "failed";
}

std::string report_json(const VerifyReport& report) {
  json out;
  out["pipe"] = report.pipe;
  out["target"] = report.target_path.string();
  out["deadLetters"] =
      report.dead_letter_path ? json(report.dead_letter_path->string()) : json(nullptr);
  out["parallelizationFactor"] = report.parallelization_factor;
  out["result"] = verdict_name(verdict_of(report));
  out["totals"] = counts_json(totals_of(report));
  out["shards"] = json::array();
  for (const auto& shard : report.shards) {
    const ShardReport& r = shard.report;
    json gaps = json::array();
    for (const auto& gap : r.gaps) {
      gaps.push_back({{"first", gap.first}, {"last", gap.last}, {"records", gap.records}});
    }
    out["shards"].push_back({
        {"shardId", r.shard_id},
        {"checkpoint", shard.checkpoint.empty() ? json(nullptr) : json(shard.checkpoint)},
        {"firstExpected", r.first_expected.empty() ? json(nullptr) : json(r.first_expected)},
        {"expected", r.expected},
        {"inTarget", r.in_target},
        {"deadLettered", r.dead_lettered},
        {"filtered", r.filtered},
        {"missing", r.missing},
        {"beyondCheckpoint", r.beyond_checkpoint},
        {"belowTrimHorizon", r.below_trim_horizon},
        {"gaps", {{"count", r.gap_count}, {"ranges", gaps}}},
        {"duplicates", capped_json(r.duplicates)},
        {"repeatedDeadLetters", capped_json(r.repeated_dead_letters)},
        {"unexpected", capped_json(r.unexpected)},
        {"notes", r.notes},
    });
  }
  out["problems"] = {{"count", report.problems.count}, {"first", report.problems.first}};
  return out.dump();
}

std::string report_text(const VerifyReport& report) {
  Totals t = totals_of(report);
  std::string text = fmt::format(
      "pipe {}: target {}, dead letters {}\n", report.pipe, report.target_path.string(),
      report.dead_letter_path ? report.dead_letter_path->string() : std::string("none"));
  // Widths follow the longest shard id and checkpoint (Kinesis sequence numbers are long).
  size_t id_width = 5, checkpoint_width = 10;
  for (const auto& shard : report.shards) {
    id_width = std::max(id_width, shard.report.shard_id.size());
    checkpoint_width = std::max(checkpoint_width, shard.checkpoint.size());
  }
  using Cells = std::array<std::string, 7>;
  constexpr std::array<size_t, 7> widths{8, 9, 13, 8, 7, 10, 10};
  auto row = [&](std::string_view id, std::string_view checkpoint, const Cells& cells) {
    text += fmt::format("{:<{}}  {:<{}}", id, id_width, checkpoint, checkpoint_width);
    for (size_t i = 0; i < cells.size(); ++i) text += fmt::format("  {:>{}}", cells[i], widths[i]);
    text += '\n';
  };
  auto numbers = [](auto... values) { return Cells{std::to_string(values)...}; };
  row("SHARD", "CHECKPOINT",
      {"EXPECTED", "IN TARGET", "DEAD-LETTERED", "FILTERED", "MISSING", "DUPLICATES",
       "UNEXPECTED"});
  for (const auto& shard : report.shards) {
    const ShardReport& r = shard.report;
    row(r.shard_id, shard.checkpoint.empty() ? "-" : shard.checkpoint,
        numbers(r.expected, r.in_target, r.dead_lettered, r.filtered, r.missing, r.duplicates.count,
                r.unexpected.count));
  }
  row("TOTAL", "",
      numbers(t.expected, t.in_target, t.dead_lettered, t.filtered, t.missing, t.duplicates,
              t.unexpected));

  // The findings, shard by shard: exact ranges and sequence numbers.
  std::string findings;
  for (const auto& shard : report.shards) {
    const ShardReport& r = shard.report;
    const std::string& id = r.shard_id;
    for (const auto& gap : r.gaps) {
      findings += fmt::format("{}: missing {}: {}\n", id, plural(gap.records, "record", "records"),
                              range_text(gap));
    }
    if (r.gap_count > r.gaps.size()) {
      findings += fmt::format("{}: ... and {} more gaps\n", id, r.gap_count - r.gaps.size());
    }
    if (r.duplicates.count > 0) {
      findings +=
          fmt::format("{}: {} found more than once: {}\n", id,
                      plural(r.duplicates.count, "record", "records"), listing(r.duplicates));
    }
    if (r.repeated_dead_letters.count > 0) {
      findings += fmt::format("{}: {} with more than one dead-letter entry (allowed): {}\n", id,
                              plural(r.repeated_dead_letters.count, "record", "records"),
                              listing(r.repeated_dead_letters));
    }
    if (r.unexpected.count > 0) {
      findings +=
          fmt::format("{}: {} in the output that the shard does not hold: {}\n", id,
                      plural(r.unexpected.count, "record", "records"), listing(r.unexpected));
    }
    if (r.beyond_checkpoint > 0) {
      findings += fmt::format("{}: {} in the output past the checkpoint (not checkpointed yet)\n",
                              id, plural(r.beyond_checkpoint, "record", "records"));
    }
    if (r.below_trim_horizon > 0) {
      findings += fmt::format("{}: {} in the output older than the oldest retained record\n", id,
                              plural(r.below_trim_horizon, "record", "records"));
    }
    for (const auto& note : r.notes) findings += fmt::format("{}: note: {}\n", id, note);
  }
  for (const auto& problem : report.problems.first) findings += fmt::format("{}\n", problem);
  if (report.problems.count > report.problems.first.size()) {
    findings += fmt::format("... and {} more unreadable lines\n",
                            report.problems.count - report.problems.first.size());
  }
  if (!findings.empty()) text += "\n" + findings;
  text += fmt::format("result: {}\n", summary(report, verdict_of(report), t));
  return text;
}

}  // namespace shardpipe::verify
