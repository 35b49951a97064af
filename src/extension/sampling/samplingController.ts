// The one sampling session of this window: starts it on a process, pauses, resumes, stops, loads
// a saved one. Views (the Sampling view, heat decorations, the status bar) follow onDidChange,
// which fires at most a few times a second however fast batches arrive; they share one profile
// computed once per batch.
import * as vscode from 'vscode';
import { errorMessage, SnagError } from '../../core/errors';
import type { Profile, TargetRef } from '../../core/model';
import { chooseSampleSource } from '../../core/sampling/chooseSource';
import { createSampler } from '../../core/sampling/sampleProcess';
import { clampRate } from '../../core/sampling/sampleSource';
import { SamplingSession, type SamplingState } from '../../core/sampling/samplingSession';
import { createBackends } from '../backends';
import type { Dumper } from '../dumps/dumper';
import { showSnagError } from '../errorNotification';
import type { Fixes } from '../fixes';
import { logInfo } from '../log';
import { readSettings } from '../settings';
import type { ProcessRef } from '../targets/targetProviders';
import { markWalkthroughStep } from '../walkthroughProgress';

const UPDATE_MS = 250;

export interface SamplingSnapshot {
  state: SamplingState;
  /** `python3 worker.py (pid 41) on Local`; undefined before the first session. */
  title?: string;
  profile?: Profile;
  rateHz: number;
  error?: string;
  /** Where the sampled process lives (remote documents open through it). */
  target?: TargetRef;
}

export class SamplingController implements vscode.Disposable {
  private session?: SamplingSession;
  private ref?: ProcessRef;
  private loaded?: Profile;
  private title?: string;
  private rateHz = readSettings().sampling.rateHz;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private timer?: ReturnType<typeof setTimeout>;
  private cached?: { samples: number; profile: Profile };
  private shownState?: SamplingState;

  constructor(
    private readonly dumper: Dumper,
    private readonly fixes: Fixes,
  ) {}

  get state(): SamplingState {
    return this.session?.state ?? 'stopped';
  }

  get process(): ProcessRef | undefined {
    return this.ref;
  }

  /** The profile so far: the live session's, or a loaded one. Recomputed only after new samples. */
  profile(): Profile | undefined {
    if (!this.session) return this.loaded;
    const sampler = this.session.sampler;
    if (this.cached?.samples !== sampler.samples) this.cached = { samples: sampler.samples, profile: sampler.profile() };
    return this.cached.profile;
  }

  snapshot(): SamplingSnapshot {
    const failure = this.session?.failure;
    return {
      state: this.state,
      title: this.title,
      profile: this.profile(),
      rateHz: this.rateHz,
      target: this.ref?.target.ref,
      ...(failure ? { error: errorMessage(failure) } : {}),
    };
  }

  /** Starts sampling the process (stopping any session before). */
  async start(ref: ProcessRef, rateHz?: number): Promise<void> {
    await this.session?.stop();
    const settings = readSettings();
    this.rateHz = clampRate(rateHz ?? this.rateHz);
    const { pyspy, gdb } = createBackends(settings);
    const p = ref.process;
    const where = (ref.path ?? [ref.target.ref.label]).join(' › ');
    const source = chooseSampleSource(ref.target, settings.backend, pyspy, gdb, {
      pid: p.pid,
      rateHz: this.rateHz,
      nonblocking: settings.sampling.nonblocking,
    });
    this.title = `${p.name} (pid ${p.pid}) on ${where}`;
    const sampler = await createSampler({
      target: ref.target,
      pid: p.pid,
      source,
      mapper: this.dumper.workspaceMapper(),
      rateHz: this.rateHz,
      label: this.title,
      stuckAfterSeconds: settings.sampling.stuckAfterSeconds,
    });
    const durationMs = settings.sampling.durationSeconds > 0 ? settings.sampling.durationSeconds * 1000 : undefined;
    this.ref = ref;
    this.loaded = undefined;
    this.cached = undefined;
    const session = new SamplingSession({ source, sampler, durationMs, onUpdate: () => this.schedule() });
    this.session = session;
    logInfo(`sampling ${this.title} at ${this.rateHz} Hz with ${source.method}`);
    void this.runSession(session);
  }

  private async runSession(session: SamplingSession): Promise<void> {
    await session.start();
    this.fire();
    const failure = session.failure;
    if (!failure || session !== this.session) return;
    const ref = this.ref;
    await showSnagError(failure, this.fixes, { ref, retry: ref ? () => this.start(ref) : undefined }, 'sampling failed');
  }

  async pause(): Promise<void> {
    await this.session?.pause();
  }

  async resume(): Promise<void> {
    if (this.session && this.state === 'paused') void this.runSession(this.session);
  }

  async stop(): Promise<void> {
    await this.session?.stop();
    this.fire();
  }

  /** A new rate applies at once: the session starts afresh at it (counts taken at two rates do not add up). */
  async setRate(rateHz: number): Promise<void> {
    const rate = clampRate(rateHz);
    if (rate === this.rateHz) return;
    this.rateHz = rate;
    if (this.ref && this.state === 'running') await this.start(this.ref, rate);
    else this.fire();
  }

  /** Shows a saved profile (the live session, if any, is stopped). */
  async show(profile: Profile, title: string): Promise<void> {
    await this.session?.stop();
    this.session = undefined;
    this.ref = undefined;
    this.loaded = profile;
    this.title = title;
    this.fire();
  }

  /** Fails with a clear message when there is nothing to save. */
  currentProfile(): Profile {
    const p = this.profile();
    if (!p || p.samples === 0) throw new SnagError('bad-input', 'No samples yet: start sampling a process first (right-click it → Start Sampling).');
    return p;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.notify();
    }, UPDATE_MS);
  }

  private fire(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.notify();
  }

  private notify(): void {
    // Menus show Pause, Resume or Stop by this context key.
    if (this.state !== this.shownState) {
      this.shownState = this.state;
      void vscode.commands.executeCommand('setContext', 'snag.samplingState', this.state);
      if (this.state === 'running') markWalkthroughStep('sampled');
    }
    this.changed.fire();
  }

  dispose(): void {
    void this.session?.stop();
    if (this.timer) clearTimeout(this.timer);
    this.changed.dispose();
  }
}
