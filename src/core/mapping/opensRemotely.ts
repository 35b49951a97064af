// Whether a frame's line opens read-only from its target: the one rule behind the editor's markers,
// Open Frame, the Stacks view, the Sampling view's links and heat. The SourceMapper decides it when
// it maps the frame (method 'remote': no copy here, and the target serves its files, as an ssh host
// does); a dump's Frame and a profile's frames and rows carry that verdict alike.
import type { Frame } from '../model';

export function opensRemotely(f: Pick<Frame, 'line' | 'localFile' | 'mapping'>): boolean {
  return !f.localFile && f.line > 0 && f.mapping?.method === 'remote';
}
