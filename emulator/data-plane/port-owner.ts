// Whether a process group holds the listening socket on a port (Linux /proc). In Cloud Run each container
// has its own network, so its PORT is always its own; here instances share 127.0.0.1, and another process
// can take the free port chosen for an instance before the app listens on it. The app then exits with
// EADDRINUSE, but a connect to the port succeeds (to the other process): the startup check must not take
// that for the instance listening.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** True or false on Linux; undefined where /proc cannot tell (the caller then trusts the connect alone). */
export function groupListensOn(group: number, port: number): boolean | undefined {
  const inodes = new Set<string>();
  let readable = false;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
      readable = true;
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is HEXIP:HEXPORT; state 0A is LISTEN; column 10 is the socket's inode.
      if (cols.length >= 10 && cols[3] === '0A' && parseInt(cols[1].split(':')[1] ?? '', 16) === port)
        inodes.add(cols[9]);
    }
  }
  if (!readable) return undefined;
  if (inodes.size === 0) return false;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command's closing parenthesis: state, ppid, pgrp, …
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (pgrp !== group) continue;
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
        const m = /^socket:\[(\d+)\]$/.exec(link);
        if (m && inodes.has(m[1])) return true;
      }
    } catch {
      // The process ended, or its fds are not ours to read.
    }
  }
  return false;
}
