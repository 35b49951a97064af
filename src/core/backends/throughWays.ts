// The one loop over a target's ways in (containers: host PID, exec, copy-in, sidecar): open a way,
// read through it, close it, and on a failure another way might avoid, try the next. What each way
// is and how its failures read is the target's business (WayPlan); this loop is every reader's.
import { SnagError } from '../errors';
import type { WayChoice, WayIn, WayPlan } from '../targets/target';

export interface ThroughWay<T> {
  value: T;
  choice: WayChoice;
  way: WayIn;
  /** Ways that failed before this one, with why (for the dump's notes). */
  failedBefore: string[];
}

export async function throughWays<T>(plan: WayPlan, read: (way: WayIn, choice: WayChoice) => Promise<T>): Promise<ThroughWay<T>> {
  const tried: { way: WayChoice; error: SnagError }[] = [];
  for (const choice of plan.ways) {
    try {
      const way = await choice.open();
      let value: T;
      try {
        value = await read(way, choice);
      } finally {
        // Always, also after a failure or Cancel: what opening left (a copied tool) goes.
        await way.close?.();
      }
      return { value, choice, way, failedBefore: tried.map((a) => `${a.way.label} did not work: ${a.error.message}`) };
    } catch (err) {
      const e = await plan.explain(err, choice);
      const said = choice.notes.length ? new SnagError(e.reason, `${e.message} ${choice.notes.join(' ')}`, e.fixes, { cause: e.cause ?? err }) : e;
      if (!plan.fallThrough || !plan.tryNextOn.has(e.reason)) throw said;
      tried.push({ way: choice, error: said });
    }
  }
  throw plan.giveUp(tried);
}
