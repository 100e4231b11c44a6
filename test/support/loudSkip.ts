/**
 * Skips a suite whose prerequisite is missing, loudly: a line when the suite is skipped, and at the
 * end of the run every test skipped and the command that installs what is missing (otherwise a
 * count of "pending" tests would be the only trace).
 */
const notices: string[] = [];

after(function () {
  if (notices.length > 0) process.stdout.write(`\n${notices.join("\n")}\n`);
});

function testTitles(suite: Mocha.Suite): string[] {
  return [...suite.tests.map((test) => test.fullTitle()), ...suite.suites.flatMap(testTitles)];
}

/**
 * Call from a suite's `before` hook: skips every test of the suite (as `this.skip()` does) after
 * printing what was skipped, why, and `install`, the one command that makes it run.
 */
export function skipSuiteLoudly(context: Mocha.Context, why: string, install: string): never {
  const suite = context.test?.parent;
  const titles = suite === undefined ? [] : testTitles(suite);
  const skipped = `SKIPPED ${titles.length} test${titles.length === 1 ? "" : "s"}: ${why}`;
  const fix = `!! to run them, install it and test again:  ${install}`;
  notices.push([`!! ${skipped}`, ...titles.map((title) => `!!   - ${title}`), fix].join("\n"));
  process.stdout.write(`\n!! ${skipped} (listed again at the end of the run)\n${fix}\n`);
  context.skip();
}
