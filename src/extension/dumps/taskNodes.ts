// The Tasks rows of the Stacks view, for a dump that carries its asyncio tasks: one "Tasks" row,
// under it one row a group of tasks waiting alike (core's groupTasks, as in the CLI and Copy as
// Markdown), each expandable to its await chain (the same frame rows as a thread's, so they open
// and are marked like them), what the chain ends in, where the tasks were created, and the
// group's tasks folded, each with its own chain. No vscode here: plain Node tests it.
import { awaitsLine } from '../../core/asyncio/taskText';
import { count, groupTasks, summary, type TaskGroup } from '../../core/asyncio/taskGroups';
import type { AsyncTask, AsyncioTasks, Frame, ThreadStack } from '../../core/model';
import type { StackNode } from './stackTree';

interface Base {
  id: string;
  parent?: StackNode;
}
/** The dump's tasks: one row, its groups inside. */
export interface TasksNode extends Base {
  kind: 'tasks';
  tasks: AsyncioTasks;
  children: StackNode[];
}
/** Tasks waiting alike: their await chain once (the first task's), then the tasks folded. */
export interface TaskGroupNode extends Base {
  kind: 'taskGroup';
  group: TaskGroup;
  /** What the chain ends in (`awaits a gather of …`, `sleeps 3600 s`), for the row's description. */
  awaits?: string;
  expanded: boolean;
  children: StackNode[];
}
/** The tasks of a group, folded (at most MAX_TASK_ROWS of them). */
export interface TaskMembersNode extends Base {
  kind: 'taskMembers';
  group: TaskGroup;
  children: StackNode[];
}
/** One task of a group: its own chain. */
export interface TaskNode extends Base {
  kind: 'task';
  task: AsyncTask;
  children: StackNode[];
}
/** Where the group's tasks were created (asyncio debug mode), innermost first. */
export interface TaskCreatedNode extends Base {
  kind: 'taskCreated';
  frames: readonly Frame[];
  children: StackNode[];
}
export type TaskTreeNode = TasksNode | TaskGroupNode | TaskMembersNode | TaskNode | TaskCreatedNode;

/** How the Stacks view turns frames into rows (its own frame rows: opened, marked and dimmed alike). */
export type FrameRows = (thread: ThreadStack, frames: readonly Frame[], prefix: string, parent: StackNode) => StackNode[];

/** Groups listed before "N more groups" (a program with thousands of distinct waits). */
export const MAX_GROUP_ROWS = 200;
/** Tasks listed in a group before "N more tasks". */
export const MAX_TASK_ROWS = 500;
/** Groups shown expanded when there are few of them. */
const EXPAND_GROUPS_UP_TO = 5;

/**
 * A task as the frame rows' thread: its name, its chain. Its id is never a thread's (-1), so a
 * finding about a thread never points at a task's frame; the current task is the one running.
 */
export function taskAsThread(t: AsyncTask): ThreadStack {
  return { id: -1, name: t.name, active: !!t.current, frames: t.frames };
}

function note(id: string, text: string, parent: StackNode): StackNode {
  return { kind: 'note', id, text, parent };
}

/** The Tasks row of a dump's tasks; ids under `base` (the dump's). */
export function taskNodes(tasks: AsyncioTasks, base: string, frameRows: FrameRows): TasksNode {
  const root: TasksNode = { kind: 'tasks', id: `${base}/tasks`, tasks, children: [] };
  const byId = new Map(tasks.tasks.map((t) => [t.id, t]));
  const groups = groupTasks(tasks.tasks);
  root.children = groups.slice(0, MAX_GROUP_ROWS).map((g, i) => groupNode(g, `${root.id}/g${i}`, root, byId, frameRows, groups.length <= EXPAND_GROUPS_UP_TO));
  if (groups.length > MAX_GROUP_ROWS)
    root.children.push(note(`${root.id}/more`, `… ${count(groups.length - MAX_GROUP_ROWS)} more groups (Save Dump as JSON has every task)`, root));
  if (tasks.truncated)
    root.children.push(note(`${root.id}/truncated`, 'Not every task is listed: there were more than the limit, or the time to read them ran out.', root));
  if (tasks.unreadable)
    root.children.push(note(`${root.id}/unreadable`, `${count(tasks.unreadable)} tasks changed while they were read and are not listed.`, root));
  return root;
}

function groupNode(g: TaskGroup, id: string, parent: StackNode, byId: ReadonlyMap<string, AsyncTask>, frameRows: FrameRows, expanded: boolean): TaskGroupNode {
  const first = g.tasks[0]!;
  const gn: TaskGroupNode = { kind: 'taskGroup', id, group: g, awaits: awaitsLine(g, byId), expanded, parent, children: [] };
  gn.children = frameRows(taskAsThread(first), first.frames, id, gn);
  if (gn.awaits) gn.children.push(note(`${id}/awaits`, gn.awaits, gn));
  if (first.createdAt?.length) {
    const created: TaskCreatedNode = { kind: 'taskCreated', id: `${id}/created`, frames: first.createdAt, parent: gn, children: [] };
    created.children = frameRows(taskAsThread({ ...first, frames: first.createdAt }), first.createdAt, created.id, created);
    gn.children.push(created);
  }
  if (g.tasks.length > 1) {
    const members: TaskMembersNode = { kind: 'taskMembers', id: `${id}/tasks`, group: g, parent: gn, children: [] };
    members.children = g.tasks.slice(0, MAX_TASK_ROWS).map((t) => {
      // A task's id (its address) is unique among live tasks: the row keeps its id across groups.
      const tn: TaskNode = { kind: 'task', id: `${id}/t${t.id}`, task: t, parent: members, children: [] };
      tn.children = frameRows(taskAsThread(t), t.frames, tn.id, tn);
      return tn;
    });
    if (g.tasks.length > MAX_TASK_ROWS)
      members.children.push(note(`${id}/tasks/more`, `… ${count(g.tasks.length - MAX_TASK_ROWS)} more tasks (Save Dump as JSON has every task)`, members));
    gn.children.push(members);
  }
  return gn;
}

/** `15 tasks: 4 waiting in asyncio.sleep, …`, the Tasks row's description. */
export function tasksSummary(tasks: AsyncioTasks): string {
  return tasks.asyncio ? summary(tasks) : 'asyncio not imported: no tasks';
}
