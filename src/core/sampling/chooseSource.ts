// Which sample source fits a target and backend: `py-spy record` where py-spy runs next to the
// process (this machine, an ssh host); repeated dumps for gdb and for containers, whose dumps go
// through their ways in (host PID, exec, copy-in, sidecar).
import type { BackendChoice } from '../backends/auto';
import type { Backend } from '../backends/backend';
import type { PySpyBackend } from '../backends/pyspy';
import type { Target } from '../targets/target';
import { DumpSource } from './dumpSource';
import { RecordSource } from './recordSource';
import type { SampleSource } from './sampleSource';

export interface SourceOptions {
  pid: number;
  rateHz: number;
  nonblocking?: boolean;
  native?: boolean;
}

export function chooseSampleSource(target: Target, choice: BackendChoice, pyspy: PySpyBackend, gdb: Backend, o: SourceOptions): SampleSource {
  if (choice === 'gdb') return new DumpSource(target, gdb, o);
  // Native frames need py-spy to pause the process (it cannot unwind native stacks without), and a
  // recording pauses it many times a second; guarded dumps check for pipe writers before each pause.
  if (o.native) return new DumpSource(target, pyspy, o);
  // Several ways in (containers): each sample is a dump through them, so it takes the way that works.
  if (target.waysIn) return new DumpSource(target, pyspy, o);
  return new RecordSource(target, (signal) => pyspy.locate(target, signal), o);
}
