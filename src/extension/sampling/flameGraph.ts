// The Sampling view's flame graph, laid out on the host from all the profile's stacks: one root
// per thread (or one thread's calls), outermost call on top, each box as wide as its share. The
// page draws the cells as they come.
import { shortLocation } from '../../core/format/profileText';
import type { Profile, ProfileFrame } from '../../core/model';
import type { FlameCell, FlameGraph, OpenAt, ThreadChoice } from './protocol';

/** Boxes narrower than this share of the graph (percent) are not drawn, nor their callees. */
const MIN_WIDTH_PCT = 0.3;

interface CallNode {
  count: number;
  kids: Map<string, CallNode>;
  /** A frame's index in Profile.frames; undefined for a thread's root. */
  frame?: number;
  thread?: number;
}

/** Where a click on a frame opens (a local file, a remote document's URI), or undefined. */
export type DocumentOf = (x: OpenablePlace) => string | undefined;

/** What a frame, a table row or a thread's place carry that says where it opens (as a dump's Frame). */
export type OpenablePlace = Pick<ProfileFrame, 'file' | 'line' | 'localFile' | 'mapping'>;

export function openAt(documentOf: DocumentOf, x: OpenablePlace): OpenAt | undefined {
  const file = documentOf(x);
  return file && x.line > 0 ? { file, line: x.line } : undefined;
}

function callTree(p: Profile, thread: ThreadChoice): CallNode {
  const root: CallNode = { count: 0, kids: new Map() };
  for (const s of p.stacks) {
    if (thread !== 'all' && s.threadId !== thread) continue;
    root.count += s.count;
    let node = root;
    if (thread === 'all') node = step(node, `t${s.threadId}`, s.count, { thread: s.threadId });
    for (let i = s.frames.length - 1; i >= 0; i--) node = step(node, `f${s.frames[i]}`, s.count, { frame: s.frames[i] });
  }
  return root;
}

function step(node: CallNode, id: string, count: number, what: { frame?: number; thread?: number }): CallNode {
  let kid = node.kids.get(id);
  if (!kid) node.kids.set(id, (kid = { count: 0, kids: new Map(), ...what }));
  kid.count += count;
  return kid;
}

function kindOf(f: ProfileFrame | undefined): FlameCell['kind'] {
  if (!f) return 'thread';
  return f.native ? 'native' : f.isUserCode ? 'user' : 'lib';
}

export function flameGraph(p: Profile, thread: ThreadChoice, documentOf: DocumentOf): FlameGraph {
  const tree = callTree(p, thread);
  const names = new Map(p.threads.map((t) => [t.id, t.name]));
  const cells: FlameCell[] = [];
  let deepest = -1;
  const walk = (node: CallNode, depth: number, left: number, path: string) => {
    let x = left;
    // Hottest call first (leftmost), as flame graphs are read.
    for (const [id, kid] of [...node.kids.entries()].sort((a, b) => b[1].count - a[1].count)) {
      const width = (100 * kid.count) / tree.count;
      if (width >= MIN_WIDTH_PCT) {
        deepest = Math.max(deepest, depth);
        const f = kid.frame !== undefined ? p.frames[kid.frame] : undefined;
        const label = f ? `${f.function} (${shortLocation(f.file, f.line)})` : (names.get(kid.thread!) ?? `Thread ${kid.thread}`);
        const key = `${path}/${id}`;
        const cell: FlameCell = {
          key,
          kind: kindOf(f),
          depth,
          leftPct: x,
          widthPct: width,
          label,
          tooltip: `${label} — ${kid.count} samples (${width.toFixed(1)} %)`,
        };
        const open = f && openAt(documentOf, f);
        if (open) cell.open = open;
        cells.push(cell);
        walk(kid, depth + 1, x, key);
      }
      x += width;
    }
  };
  if (tree.count > 0) walk(tree, 0, 0, '');
  return { thread, depth: deepest + 1, cells };
}
