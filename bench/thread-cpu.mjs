// The CPU time of the threads of the browsers this process launched, read from Linux's
// /proc/PID/task/TID/schedstat (nanoseconds on a CPU). A thread's CPU time is what recording a
// GPU step costs: unlike a clock read around the step, it leaves out the time the thread was
// descheduled or waited, which on a machine where a software renderer computes on the same
// cores is most of it. Linux only; elsewhere `threadTimes` returns null.
import { existsSync, readFileSync, readdirSync } from "node:fs";

/** @param {string} file */
const read = (file) => {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return null; // the process or thread ended
  }
};

/** The parent of process `pid`, from /proc/PID/stat (its name may hold spaces and parentheses). */
function parentOf(pid) {
  const stat = read(`/proc/${pid}/stat`);
  return stat ? Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) : null;
}

/** Every process descended from this one (the browsers it launched and their children). */
function descendants() {
  const parents = new Map();
  for (const name of readdirSync("/proc")) if (/^\d+$/.test(name)) parents.set(Number(name), parentOf(name));
  const found = new Set([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (!found.has(pid) && found.has(parent)) {
        found.add(pid);
        grew = true;
      }
    }
  }
  found.delete(process.pid);
  return [...found];
}

/** A snapshot: each thread of the launched browsers, by "pid/tid", with its name and its CPU
 * time in nanoseconds; null where /proc has no schedstat. The name is Linux's 15-character
 * `comm` ("DedicatedWorker" for a Web Worker's thread), except a page's main thread, which
 * Chromium leaves named after the program: "renderer main" (the main thread of a process
 * started with `--type=renderer`).
 * @returns {Map<string, {name: string, ns: number}> | null} */
export function threadTimes() {
  if (!existsSync("/proc/self/schedstat")) return null;
  const times = new Map();
  for (const pid of descendants()) {
    let tids;
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    // Chromium rewrites a child's command line as one string, its arguments spaced.
    const renderer = /(^|[\s\0])--type=renderer([\s\0]|$)/.test(read(`/proc/${pid}/cmdline`) ?? "");
    for (const tid of tids) {
      const comm = read(`/proc/${pid}/task/${tid}/comm`)?.trim();
      const sched = read(`/proc/${pid}/task/${tid}/schedstat`);
      const name = renderer && tid === String(pid) ? "renderer main" : comm;
      if (name && sched) times.set(`${pid}/${tid}`, { name, ns: Number(sched.split(" ")[0]) });
    }
  }
  return times;
}

/** The CPU seconds the busiest thread named `name` spent between two snapshots (the thread that
 * did the work: the engine's worker, or the page that ran TF.js), or null without snapshots.
 * @param {ReturnType<typeof threadTimes>} before @param {ReturnType<typeof threadTimes>} after
 * @param {string} name */
export function busiestSeconds(before, after, name) {
  if (!before || !after) return null;
  let most = 0;
  for (const [key, t] of after) {
    if (t.name !== name) continue;
    most = Math.max(most, t.ns - (before.get(key)?.ns ?? 0));
  }
  return most / 1e9;
}
