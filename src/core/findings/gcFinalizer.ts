// A thread stuck inside a finalizer (__del__). The garbage collector runs finalizers wherever the
// program happens to allocate, so the user's frame under it is a random place, not the cause.
import type { Finding, Frame, ThreadStack } from '../model';
import { anchorFrame, bareName, findingFrame, where } from './frames';
import type { DiagnoseContext, DumpRule, DumpRuleResult } from './rule';
import { who } from './threadLabel';

const NATIVE_GC =
  /^(gc_collect|gc_collect_main|gc_collect_impl|gc_collect_with_callback|gc_collect_generations|gc_collect_region|gc_collect_full|gc_collect_young|gc_collect_increment|collect|collect_with_callback|collect_generations|finalize_garbage|_PyGC_Collect|_Py_RunGC|_PyObject_GC_Link|_PyObject_GC_Alloc|PyGC_Collect)$/;
const GC_COLLECT_CALL = /\bgc\.collect\s*\(|^\s*collect\s*\(/;
export const GC_NOTE = 'called from the garbage collector';

/** Is the finalizer at frames[i] run by the garbage collector? (native gc frames, or gc.collect()) */
async function runByGc(frames: readonly Frame[], i: number, ctx: DiagnoseContext): Promise<boolean> {
  for (const f of frames.slice(i + 1)) {
    if (f.native) {
      if (NATIVE_GC.test(f.function)) return true;
      continue;
    }
    // The first Python frame outside the finalizer: did it call gc.collect()?
    const line = await ctx.source.line(f);
    return !!line && GC_COLLECT_CALL.test(line);
  }
  return false;
}

export const gcFinalizer: DumpRule = async (dump, waits, ctx): Promise<DumpRuleResult> => {
  const findings: Finding[] = [];
  const explained: ThreadStack[] = [];
  for (const t of dump.threads) {
    // The innermost finalizer is the one that does not return.
    const i = t.frames.findIndex((f) => !f.native && bareName(f) === '__del__');
    if (i < 0) continue;
    const del = t.frames[i]!;
    const byGc = await runByGc(t.frames, i, ctx);
    if (byGc) del.note = GC_NOTE;
    const wait = waits.get(t);
    const anchor = anchorFrame(t);
    const trigger = t.frames.slice(i + 1).find((f) => f.isUserCode);
    const origin = byGc ? `, called from the garbage collector${!del.isUserCode && trigger ? ` during ${where(trigger)}` : ''}` : '';
    findings.push({
      severity: 'warning',
      kind: 'gc-finalizer',
      title: `${who(t)} is stuck in a finalizer at ${where(del)}${origin}`,
      detail: [
        byGc
          ? 'The garbage collector runs finalizers at whatever line happens to allocate, so the frames below the finalizer are not the cause.'
          : 'A finalizer runs when the last reference to its object goes away, or when the garbage collector frees a reference cycle, at whatever line happens to do that: the frames below it are probably not the cause (`snag dump --native` shows whether the collector called it).',
        wait ? `Inside it, the thread ${wait.phrase}${wait.frame ? ` at ${where(wait.frame)}` : ''}.` : '',
        'Do not block in __del__: close the resource explicitly (a with block or close()), or use weakref.finalize. Waits inside C code show with `snag dump --native` or gdb.',
      ]
        .filter(Boolean)
        .join(' '),
      threadId: t.id,
      frame: findingFrame(anchor),
    });
    explained.push(t);
  }
  return { findings, explained };
};
