/**
 * Root hook: once every test has run, the process must end. Child processes and servers are
 * stopped by each test's own `after`; if a library still holds the event loop (a socket or timer
 * it never unrefs), this prints what is left and ends the run with its exit status instead of
 * letting CI wait forever.
 */
const GRACE_MS = 15_000;

after(function () {
  const timer = setTimeout(() => {
    const left = process.getActiveResourcesInfo().filter((resource) => resource !== "TTYWrap");
    process.stderr.write(`tests finished ${GRACE_MS / 1000} s ago but the event loop still holds: ${left.join(", ")}; exiting\n`);
    process.exit(process.exitCode ?? 0);
  }, GRACE_MS);
  timer.unref();
});
