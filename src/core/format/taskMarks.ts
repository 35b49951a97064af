// Where a dump's asyncio tasks wait in the user's files, as the thread markers are (frameMarks.ts):
// per document, per line, which groups of tasks (asyncio/taskGroups.ts) have a frame of their await
// chain there and whether it is where they wait. The text after the line and the hover (each group
// with its chain, every frame a link) are Markdown text only, so plain Node tests them.
import { awaitsLine } from '../asyncio/taskText';
import { count, groupTasks, groupTitle, type TaskGroup } from '../asyncio/taskGroups';
import type { AsyncTask, AsyncioTasks, Frame } from '../model';
import { standsAt } from '../stacks/standing';
import { escapeMarkdown } from '../text/markdown';
import { safeText } from '../text/safeText';
import { frameLocation } from './dumpText';
import type { DocumentOf } from './frameMarks';
import { commandLink } from './stackHover';

export interface GroupAtLine {
  group: TaskGroup;
  /** Index into the group's first task's frames (0 = innermost). */
  frameIndex: number;
  /** Where the group waits (its innermost user frame). */
  innermost: boolean;
}

export interface TaskLineMark {
  /** 1-based. */
  line: number;
  groups: GroupAtLine[];
  /** Some group waits here (the line stands out). */
  innermost: boolean;
}

/** Document → task marks sorted by line; a group appears once a line (its innermost frame there wins). */
export function taskMarksByFile(tasks: AsyncioTasks, documentOf: DocumentOf = (f) => f.localFile): Map<string, TaskLineMark[]> {
  const byFile = new Map<string, Map<number, TaskLineMark>>();
  for (const group of groupTasks(tasks.tasks)) {
    const frames = group.tasks[0]!.frames;
    const at = standsAt(frames);
    frames.forEach((frame, frameIndex) => {
      const doc = frame.line > 0 ? documentOf(frame) : undefined;
      if (!doc) return;
      let lines = byFile.get(doc);
      if (!lines) byFile.set(doc, (lines = new Map()));
      let mark = lines.get(frame.line);
      if (!mark) lines.set(frame.line, (mark = { line: frame.line, groups: [], innermost: false }));
      const innermost = frame === at;
      const seen = mark.groups.find((x) => x.group === group);
      if (seen) {
        if (innermost) Object.assign(seen, { frameIndex, innermost });
      } else mark.groups.push({ group, frameIndex, innermost });
      mark.innermost ||= innermost;
    });
  }
  const out = new Map<string, TaskLineMark[]>();
  for (const [file, lines] of byFile)
    out.set(
      file,
      [...lines.values()].sort((a, b) => a.line - b.line),
    );
  return out;
}

const taskCount = (n: number) => `${count(n)} task${n === 1 ? '' : 's'}`;

/** `⏸ task worker-3 waits here` / `⏸ 4,812 tasks wait here` / `⏸ 5,001 tasks: 2 groups pass here`. */
export function taskAfterText(mark: TaskLineMark): string {
  const n = mark.groups.reduce((s, g) => s + g.group.tasks.length, 0);
  const waiting = mark.groups.filter((g) => g.innermost).reduce((s, g) => s + g.group.tasks.length, 0);
  if (mark.groups.length === 1 && n === 1) return `⏸ task ${safeText(mark.groups[0]!.group.tasks[0]!.name)}${waiting ? ' waits here' : ''}`;
  if (waiting === n) return `⏸ ${taskCount(n)} wait here`;
  return `⏸ ${taskCount(n)}${waiting ? `, ${count(waiting)} waiting here` : ''} (${mark.groups.length} groups)`;
}

export interface TaskHoverOptions {
  /** Command id the frame links run (`snag.openFrame`). */
  openCommand: string;
  documentOf?: DocumentOf;
  /** Groups shown before "… N more groups". */
  maxGroups?: number;
  maxFrames?: number;
}

function frameLink(f: Frame, here: boolean, o: TaskHoverOptions): string {
  const name = escapeMarkdown(f.function || '?');
  const doc = f.line > 0 ? (o.documentOf ?? ((x: Frame) => x.localFile))(f) : undefined;
  const title = escapeMarkdown(`${f.localFile ?? f.file}:${f.line}`);
  const label = doc ? `[${name}](${commandLink(o.openCommand, { file: doc, line: f.line })} "${title}")` : name;
  const text = `${label} — \`${frameLocation(f).replace(/`/g, "'")}\``;
  return here ? `- **${text}** ◀` : `- ${text}`;
}

/** The hover over a task-marked line: each group there, what it awaits, its await chain as links. */
export function taskHoverMarkdown(tasks: AsyncioTasks, mark: TaskLineMark, o: TaskHoverOptions): string {
  const maxGroups = o.maxGroups ?? 4;
  const maxFrames = o.maxFrames ?? 20;
  const byId = new Map<string, AsyncTask>(tasks.tasks.map((t) => [t.id, t]));
  const out: string[] = [];
  for (const at of mark.groups.slice(0, maxGroups)) {
    const first = at.group.tasks[0]!;
    out.push(`**⏸ ${escapeMarkdown(groupTitle(at.group))}**`, '');
    const awaits = awaitsLine(at.group, byId);
    if (awaits) out.push(`_${escapeMarkdown(awaits)}_`, '');
    const frames = first.frames.slice(0, maxFrames);
    frames.forEach((f, i) => out.push(frameLink(f, i === at.frameIndex, o)));
    if (first.frames.length > maxFrames) out.push(`- … ${first.frames.length - maxFrames} more frames`);
    out.push('');
  }
  if (mark.groups.length > maxGroups) out.push(`… ${mark.groups.length - maxGroups} more groups of tasks at this line`, '');
  out.push(`_asyncio tasks of pid ${tasks.pid} · ${tasks.takenAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}_`);
  return out.join('\n');
}
