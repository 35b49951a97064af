// The order the finding rules run in, written once: a dump's findings (diagnose.ts) and what a
// sampled thread waits in (sampling/stackWait.ts) both take their rules from here. A new rule is
// one line in one of these two lists.
import { asyncioBlocked } from './asyncioBlocked';
import { deadlock } from './deadlock';
import { followWait } from './followWait';
import { forkInheritedLock } from './forkInheritedLock';
import { gcFinalizer } from './gcFinalizer';
import { gilWait } from './gilWait';
import { helperAtRest } from './helperAtRest';
import { ioWait } from './ioWait';
import { joinWaitIn } from './joinWait';
import { lockWait } from './lockWait';
import { pipeWriteWait } from './pipeWriteWait';
import { poolHolder } from './poolHolder';
import { poolStarvation } from './poolStarvation';
import { poolWait } from './poolWait';
import { poolWorkerDied } from './poolWorkerDied';
import { processLockWait } from './processLockWait';
import { queueFeeder } from './queueFeeder';
import type { DumpRule, ThreadRule } from './rule';
import { signalWait } from './signalWait';
import { sleepWait } from './sleepWait';
import { socketWait } from './socketWait';
import { sqliteHolder } from './sqliteHolder';
import { sqliteWait } from './sqliteWait';
import { stdinWait } from './stdinWait';
import type { ThreadStack } from '../model';

/**
 * The rules looking across threads, the wider explanation first: a finalizer or a blocked event loop
 * before the lock it waits for. Following a wait to its cause comes last: it builds on what the
 * others left.
 */
export const DUMP_RULES: readonly DumpRule[] = [
  gilWait,
  gcFinalizer,
  asyncioBlocked,
  queueFeeder,
  sqliteHolder,
  poolHolder,
  poolStarvation,
  poolWorkerDied,
  forkInheritedLock,
  deadlock,
  followWait,
];

/** Worker threads waiting for an Event, a Condition or a queue are idle; the main thread waiting so holds the program up. */
const mainThreadSignalWait: ThreadRule = (t, ctx) => (t.name === 'MainThread' ? signalWait(t, ctx) : Promise.resolve(undefined));

/**
 * What one thread waits in: the first rule that recognises it wins. Joins before signals
 * (Future.result waits in a Condition), signals before locks. `threads` are the others a join's
 * detail names. `workerSignals`: a worker waiting for a signal is recognised (sampling calls it
 * parked) rather than passed to the later rules (a dump gives an idle worker no finding).
 */
export function threadRules(threads: readonly ThreadStack[], opts: { workerSignals: boolean }): ThreadRule[] {
  // A library's helper at rest and a pool wait before the signal waits they are made of; SQLite before the sleep its busy handler is.
  return [
    pipeWriteWait,
    helperAtRest,
    poolWait,
    joinWaitIn(threads),
    opts.workerSignals ? signalWait : mainThreadSignalWait,
    stdinWait,
    sqliteWait,
    socketWait,
    ioWait,
    processLockWait,
    lockWait,
    sleepWait,
  ];
}
