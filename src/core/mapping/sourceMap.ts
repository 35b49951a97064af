// Frame path → local file. In order: path rules (container mounts, then the user's debugpy-style
// pathMappings, longest remoteRoot first), the path itself when it exists here, then the longest
// path-suffix match among the workspace's files; for targets whose files Snag can fetch (ssh
// hosts), the rest is marked 'remote'. A relative frame path (`python svc/cli.py` on Python ≤ 3.8,
// modules found through `sys.path` '') is the process's: it goes through the same steps resolved
// against the process's working directory first. Every frame records how it was (not) mapped.
import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { isAbsolute, join, posix, relative, sep } from 'node:path';
import type { CodeOrigin, Frame, FrameMapping, PathMapping, StackDump } from '../model';

export interface SourceMapperOptions {
  workspaceRoots: readonly string[];
  /** The user's rules (snag.pathMappings / --map REMOTE=LOCAL). */
  mappings?: readonly PathMapping[];
  /** Rules derived from the target (container bind mounts); tried before the user's. */
  mounts?: readonly PathMapping[];
  /** False for targets whose paths mean nothing here (remote hosts, containers): skip "exists". */
  pathsAreLocal?: boolean;
  /** Cap on files indexed for suffix search (a huge monorepo must not stall a dump). */
  maxIndexedFiles?: number;
  /** Frames found nowhere here can still be read from the target (an ssh host's label): method 'remote'. */
  remoteSource?: string;
  /** The process's working directory (asked once, only when a frame path is relative); undefined: unknown. */
  workingDir?: () => Promise<string | undefined>;
}

/** Extra rules and facts a target brings to the mapper (see forTarget). */
export type TargetMapperOptions = Pick<SourceMapperOptions, 'mounts' | 'pathsAreLocal' | 'mappings' | 'remoteSource' | 'workingDir'>;

/** A path relative to the process's working directory (not `/…`, `<string>`, `C:\…` or empty). */
export function isRelativePath(file: string): boolean {
  return !!file && !file.startsWith('/') && !file.startsWith('<') && !/^[A-Za-z]:[\\/]/.test(file) && !file.startsWith('\\');
}

const SKIP_DIRS = new Set([
  '.git',
  '.hg',
  '.svn',
  'node_modules',
  '__pycache__',
  '.tox',
  '.nox',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  '.cache',
  'dist',
  'build',
  '.eggs',
]);
const SOURCE_EXT = /\.(py|pyx|pyi|pxd)$/;

/** Library or user code, judged by the path the target reports. */
export function originOf(frame: Pick<Frame, 'file' | 'native'>): CodeOrigin {
  const f = frame.file;
  if (frame.native) return 'native';
  if (/[/\\](site|dist)-packages[/\\]/.test(f)) return 'site-packages';
  if (/^<frozen /.test(f) || /[/\\]lib[/\\](python|pypy)\d+(\.\d+)?[/\\]/.test(f) || /[/\\]Lib[/\\]/.test(f)) return 'stdlib';
  if (!f || f.startsWith('<')) return 'unknown';
  return 'user';
}

function normalise(p: string): string {
  return p.replace(/\\/g, '/').replace(/\/+$/, '');
}

/** Applies the longest matching rule; undefined when none matches. */
export function applyRules(file: string, rules: readonly PathMapping[]): { path: string; rule: PathMapping } | undefined {
  const f = normalise(file);
  let best: { path: string; rule: PathMapping } | undefined;
  for (const rule of rules) {
    const remote = normalise(rule.remoteRoot);
    if (f !== remote && !f.startsWith(remote + '/') && remote !== '') continue;
    if (best && normalise(best.rule.remoteRoot).length >= remote.length) continue;
    best = { path: join(rule.localRoot, f.slice(remote.length)), rule };
  }
  return best;
}

/** Where a frame's file is on this machine, and how that was decided. */
type Located = { path?: string; mapping: FrameMapping };

function applyLocated(frame: Frame, origin: CodeOrigin, { path, mapping }: Located): void {
  frame.origin = origin;
  frame.mapping = mapping;
  if (path) frame.localFile = path;
  else delete frame.localFile;
  // A remote-only file of the user's is still their code: it opens read-only from the host.
  frame.isUserCode = origin === 'user' && (!!path || mapping.method === 'remote');
}

export class SourceMapper {
  private index?: Promise<Map<string, string[]>>;
  private readonly exists = new Map<string, boolean>();
  /** The mapper whose workspace index this one borrows (see forTarget). */
  private indexOwner?: SourceMapper;

  constructor(private readonly opts: SourceMapperOptions) {}

  /** Maps every frame of the dump in place and returns it. */
  async mapDump(dump: StackDump): Promise<StackDump> {
    // The threads of a big dump run the same few files: each is located once, by what originOf()
    // and locate() read of a frame, and the frames share the answer.
    const located = new Map<string, Located & { origin: CodeOrigin }>();
    for (const t of dump.threads)
      for (const f of t.frames) {
        const key = `${f.native ? 'n' : 'p'}${f.line ? 1 : 0}:${f.file}`;
        let hit = located.get(key);
        if (!hit) located.set(key, (hit = { origin: originOf(f), ...(await this.locate(f)) }));
        applyLocated(f, hit.origin, hit);
      }
    return dump;
  }

  async mapFrame(frame: Frame): Promise<Frame> {
    const origin = originOf(frame);
    applyLocated(frame, origin, await this.locate(frame));
    return frame;
  }

  /**
   * A mapper for one target's paths: its own rules (container mounts) go before the user's, and
   * it shares this mapper's workspace index so a dump does not walk the workspace again.
   */
  forTarget(extra: TargetMapperOptions): SourceMapper {
    const m = new SourceMapper({
      ...this.opts,
      mounts: [...(extra.mounts ?? []), ...(this.opts.mounts ?? [])],
      mappings: [...(extra.mappings ?? []), ...(this.opts.mappings ?? [])],
      pathsAreLocal: extra.pathsAreLocal ?? this.opts.pathsAreLocal,
      remoteSource: extra.remoteSource ?? this.opts.remoteSource,
      workingDir: extra.workingDir ?? this.opts.workingDir,
    });
    m.indexOwner = this;
    return m;
  }

  /** Drop the file index (the workspace changed). */
  invalidate(): void {
    this.index = undefined;
    this.exists.clear();
  }

  private fileExists(p: string): boolean {
    let hit = this.exists.get(p);
    if (hit === undefined) {
      try {
        hit = statSync(p).isFile();
      } catch {
        hit = false;
      }
      this.exists.set(p, hit);
    }
    return hit;
  }

  private async locate(frame: Frame): Promise<{ path?: string; mapping: FrameMapping }> {
    const found = await this.locateHere(frame);
    const remote = this.opts.remoteSource;
    if (found.path || !remote || found.mapping.method !== 'none' || frame.native || !frame.line || !frame.file.startsWith('/')) return found;
    return { mapping: { method: 'remote', reason: `${found.mapping.reason}; opens read-only from ${remote}` } };
  }

  private cwd?: Promise<string | undefined>;

  /** The process's working directory, asked for once. */
  private workingDir(): Promise<string | undefined> {
    const ask = this.opts.workingDir;
    this.cwd ??= ask
      ? ask().then(
          (d) => (d && d.startsWith('/') ? d : undefined),
          () => undefined,
        )
      : Promise.resolve(undefined);
    return this.cwd;
  }

  private async locateHere(frame: Frame): Promise<{ path?: string; mapping: FrameMapping }> {
    // A relative path is the process's: resolved against its working directory it may match one
    // file where the bare suffix matches several. Not found so, the relative path is searched as it is.
    if (!frame.native && isRelativePath(frame.file)) {
      const cwd = await this.workingDir();
      if (cwd) {
        const resolved = posix.join(cwd, frame.file.replace(/\\/g, '/'));
        const hit = await this.locatePath({ ...frame, file: resolved });
        if (hit.path)
          return {
            path: hit.path,
            mapping: { method: hit.mapping.method, reason: `${hit.mapping.reason} (${resolved}: relative to the process's working directory)` },
          };
      }
    }
    return this.locatePath(frame);
  }

  private async locatePath(frame: Frame): Promise<{ path?: string; mapping: FrameMapping }> {
    const file = frame.file;
    if (!file || file.startsWith('<') || (frame.native && !frame.line)) {
      return { mapping: { method: 'none', reason: frame.native ? 'native code without source information' : `no source file (${file || 'unknown'})` } };
    }
    for (const [rules, method, what] of [
      [this.opts.mounts ?? [], 'mount', 'container mount'],
      [this.opts.mappings ?? [], 'rule', 'path mapping'],
    ] as const) {
      const hit = applyRules(file, rules);
      if (hit && this.fileExists(hit.path)) return { path: hit.path, mapping: { method, reason: `${what} ${hit.rule.remoteRoot} → ${hit.rule.localRoot}` } };
    }
    if ((this.opts.pathsAreLocal ?? true) && isAbsolute(file) && this.fileExists(file)) {
      return { path: file, mapping: { method: 'exists', reason: 'the path exists on this machine' } };
    }
    if (frame.native || originOf(frame) !== 'user') {
      return { mapping: { method: 'none', reason: 'library file not present on this machine' } };
    }
    return this.suffixMatch(file);
  }

  private async suffixMatch(file: string): Promise<{ path?: string; mapping: FrameMapping }> {
    const parts = normalise(file).split('/').filter(Boolean);
    const base = parts[parts.length - 1];
    if (!base || this.opts.workspaceRoots.length === 0) return { mapping: { method: 'none', reason: 'no workspace folder to search' } };
    const candidates = (await this.buildIndex()).get(base) ?? [];
    if (candidates.length === 0) return { mapping: { method: 'none', reason: `no ${base} in the workspace` } };
    let bestScore = 0;
    let best: string[] = [];
    for (const c of candidates) {
      const cp = c.split(sep);
      let n = 0;
      while (n < parts.length && n < cp.length && cp[cp.length - 1 - n] === parts[parts.length - 1 - n]) n++;
      if (n > bestScore) [bestScore, best] = [n, [c]];
      else if (n === bestScore) best.push(c);
    }
    if (best.length === 1) {
      const rel = parts.slice(-bestScore).join('/');
      return { path: best[0], mapping: { method: 'suffix', reason: `matched …/${rel} in the workspace` } };
    }
    return { mapping: { method: 'none', reason: `${best.length} workspace files end in ${parts.slice(-bestScore).join('/')}; add a path mapping to choose` } };
  }

  private buildIndex(): Promise<Map<string, string[]>> {
    if (this.indexOwner) return this.indexOwner.buildIndex();
    this.index ??= (async () => {
      const byName = new Map<string, string[]>();
      let budget = this.opts.maxIndexedFiles ?? 50_000;
      const walk = async (dir: string, depth: number): Promise<void> => {
        if (depth > 20 || budget <= 0) return;
        let entries;
        try {
          entries = await readdir(dir, { withFileTypes: true });
        } catch {
          return;
        }
        // A virtual environment is library code, not the user's: skip it whole.
        if (entries.some((e) => e.name === 'pyvenv.cfg')) return;
        for (const e of entries) {
          if (budget <= 0) return;
          if (e.isDirectory()) {
            if (!SKIP_DIRS.has(e.name)) await walk(join(dir, e.name), depth + 1);
          } else if (e.isFile() && SOURCE_EXT.test(e.name)) {
            budget--;
            const list = byName.get(e.name) ?? [];
            list.push(join(dir, e.name));
            byName.set(e.name, list);
          }
        }
      };
      for (const root of this.opts.workspaceRoots) if (existsSync(root)) await walk(root, 0);
      return byName;
    })();
    return this.index;
  }
}

/** Is the file inside one of the roots? (for "the user's own code" in views) */
export function isUnder(file: string, roots: readonly string[]): boolean {
  return roots.some((r) => {
    const rel = relative(r, file);
    return !!rel && !rel.startsWith('..') && !isAbsolute(rel);
  });
}
