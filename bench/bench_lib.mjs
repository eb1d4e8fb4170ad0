// What the benchmark drivers share: their command line, running build/auralink for one JSON
// object, and a small pool that keeps every core busy.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';

export const run = promisify(execFile);

// --repo (set by the wrapper script), --out DIR, --shared DIR, --quick.
export function parseBenchArgs(name, argv) {
  const args = { quick: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--repo') args.repo = argv[++i];
    else if (a === '--out') args.out = argv[++i];
    else if (a === '--shared') args.shared = argv[++i];
    else if (a === '--quick') args.quick = true;
    else { console.error(`${name}: unknown option ${a}`); process.exit(2); }
  }
  args.out ??= path.join(args.repo, 'out', name);
  args.shared ??= process.env.AURALINK_SHARED ?? path.join(args.repo, '..', 'shared');
  args.bin = path.join(args.repo, 'build', 'auralink');
  if (!fs.existsSync(args.bin)) {
    console.error(`${name}: ${args.bin} not built (run ./scripts/setup)`);
    process.exit(2);
  }
  return args;
}

// Runs `bin ...argv` and returns the JSON object it printed last.
export async function runJson(bin, ...argv) {
  const { stdout } = await run(bin, argv, { maxBuffer: 1 << 28 });
  return JSON.parse(stdout.trim().split('\n').pop());
}

// Runs the async thunks `jobs`, `width` at a time; results keep the jobs' order.
export async function pool(jobs, width) {
  const results = [];
  let next = 0;
  async function worker() {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  }
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}
