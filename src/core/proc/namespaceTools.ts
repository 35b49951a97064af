// Ending a tool that runs inside a container whose image has no shell to end it there: killing the
// engine's CLI (docker exec) does not end the process it started in the container, and a hung
// py-spy would keep the target traced. From the host, that process is any process in the target's
// PID namespace whose command is the tool's path.
import { readdir, readFile, readlink } from 'node:fs/promises';

/** SIGKILLs the processes in `hostPid`'s PID namespace running `toolPath` (never hostPid itself); returns their pids. Never throws. */
export async function killToolInNamespace(hostPid: number, toolPath: string): Promise<number[]> {
  let ns: string;
  try {
    ns = await readlink(`/proc/${hostPid}/ns/pid`);
  } catch {
    return [];
  }
  const killed: number[] = [];
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((e) => /^\d+$/.test(e)).map(Number);
  await Promise.all(
    pids.map(async (pid) => {
      if (pid === hostPid) return;
      try {
        if ((await readlink(`/proc/${pid}/ns/pid`)) !== ns) return;
        // The tool itself, or a script run by its interpreter (`python3 /path/tool`).
        const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
        if (argv[0] !== toolPath && argv[1] !== toolPath) return;
        process.kill(pid, 'SIGKILL');
        killed.push(pid);
      } catch {
        /* gone, or not ours */
      }
    }),
  );
  return killed;
}
