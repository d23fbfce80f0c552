// What the load checks read about a process from /proc (Linux).
import { readFileSync } from "node:fs";

// A field of /proc/PID/status, as a number (VmRSS in KiB, PPid...).
export const status = (pid, field) =>
  Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]);

export const rssKiB = (pid) => status(pid, "VmRSS");

// CPU time used so far, in seconds (utime + stime, in ticks of 1/100 s).
export const cpuSeconds = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
};
