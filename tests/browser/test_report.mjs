// What a browser test run found: named checks (passed, failed or skipped, each with a one-line
// reason), the time each step took, and the measurements behind the checks. Printed as one
// JSON document followed by the closing count line, and turned into the exit status:
// 0 every check passed, 1 any check failed, 2 nothing failed but a part was skipped.

export const kExitPassed = 0;
export const kExitFailed = 1;
export const kExitSkippedParts = 2;
// CTest's SKIP_RETURN_CODE: the machine lacks Chromium, node packages or data.
export const kExitCannotRun = 77;

export class TestReport {
  constructor(test) {
    this.test = test;
    this.startedAt = Date.now();
    this.checks = [];
    this.stepsMs = {};
    this.measured = {};
    this.notes = [];
    this.finished = false;
  }

  check(name, passed, detail) {
    if (this.finished) {
      console.error(`late - ${name}${detail ? `: ${detail}` : ''} (not counted)`);
      return passed;
    }
    this.checks.push({name, status: passed ? 'passed' : 'failed', detail});
    console.error(`${passed ? 'ok  ' : 'FAIL'} - ${name}${detail ? `: ${detail}` : ''}`);
    return passed;
  }

  skip(name, detail) {
    if (this.finished) return;
    this.checks.push({name, status: 'skipped', detail});
    console.error(`skip - ${name}: ${detail}`);
  }

  note(line) {
    this.notes.push(line);
    console.error(`note - ${line}`);
  }

  // Runs `body`, records how long it took under `name`, and passes its result through.
  async step(name, body) {
    const started = Date.now();
    console.error(`...  ${name}`);
    try {
      return await body();
    } finally {
      this.stepsMs[name] = Date.now() - started;
    }
  }

  count(status) {
    return this.checks.filter((c) => c.status === status).length;
  }

  exitCode() {
    if (this.count('failed') > 0 || this.checks.length === 0) return kExitFailed;
    return this.count('skipped') > 0 ? kExitSkippedParts : kExitPassed;
  }

  // Prints the summary to stdout and returns the exit status; later checks are not counted.
  finish() {
    if (this.finished) return this.finishedCode;
    this.finished = true;
    const code = this.exitCode();
    this.finishedCode = code;
    const summary = {
      test: this.test,
      result: {[kExitPassed]: 'passed', [kExitFailed]: 'failed',
               [kExitSkippedParts]: 'passed with skipped parts'}[code],
      totalMs: Date.now() - this.startedAt,
      checks: this.checks,
      stepsMs: this.stepsMs,
      measured: this.measured,
      notes: this.notes,
    };
    console.log(JSON.stringify(summary, null, 2));
    console.log(`${this.test}: ${this.count('passed')} passed, ${this.count('failed')} failed, ` +
                `${this.count('skipped')} skipped`);
    return code;
  }
}
