/**
 * Mocha's spec reporter plus a table of each test file's wall time, slowest first, also written to
 * `test-output/suite-timings.json`: keeping the suite inside its CI budget (15 minutes on the 2-core
 * machine) starts with knowing which files spend it (serial runs: RINGS_TEST_JOBS=1). CommonJS
 * because Mocha `require`s reporters.
 */
"use strict";
const { mkdirSync, writeFileSync } = require("node:fs");
const path = require("node:path");
const Mocha = require("mocha");

const { EVENT_RUN_END, EVENT_SUITE_BEGIN, EVENT_SUITE_END } = Mocha.Runner.constants;

class SuiteTimingsReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    // In parallel mode a file's events are replayed at once when its worker finishes: no timings to take.
    if (runner.isParallelMode()) return;
    const started = new Map();
    const spent = new Map();
    const fileOf = (suite) => path.relative(process.cwd(), suite.file ?? suite.fullTitle());
    const topLevel = (suite) => suite.parent !== undefined && suite.parent.root === true;
    runner.on(EVENT_SUITE_BEGIN, (suite) => {
      if (topLevel(suite)) started.set(suite, Date.now());
    });
    runner.on(EVENT_SUITE_END, (suite) => {
      const start = started.get(suite);
      if (start === undefined) return;
      spent.set(fileOf(suite), (spent.get(fileOf(suite)) ?? 0) + Date.now() - start);
      started.delete(suite);
    });
    runner.once(EVENT_RUN_END, () => {
      const rows = [...spent].sort((a, b) => b[1] - a[1]);
      const total = rows.reduce((sum, [, ms]) => sum + ms, 0);
      console.log(`\n  wall time per test file (${(total / 60_000).toFixed(1)} min in all), slowest first:`);
      for (const [file, ms] of rows.slice(0, 30)) console.log(`  ${(ms / 1000).toFixed(1).padStart(7)} s  ${file}`);
      mkdirSync("test-output", { recursive: true });
      writeFileSync(path.join("test-output", "suite-timings.json"), `${JSON.stringify({ totalMs: total, files: Object.fromEntries(rows) }, null, 2)}\n`);
    });
  }
}

module.exports = SuiteTimingsReporter;
