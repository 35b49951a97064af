// Where a thread stands: the one rule behind the editor's markers, the Stacks view's selection,
// each finding's frame, comparisons and the sampling view, so they all point at the same frame.

/** The frame fields the rule looks at (a dump's Frame and a sampled frame both have them). */
export interface StandingFrame {
  native: boolean;
  line: number;
  isUserCode?: boolean;
}

/**
 * The innermost frame of the user's own code; else the innermost Python frame with a line (where
 * Python called into C: the blocking call's caller); else the innermost frame. Frames innermost first.
 */
export function standsAt<F extends StandingFrame>(frames: readonly F[]): F | undefined {
  return frames.find((f) => f.isUserCode) ?? frames.find((f) => !f.native && f.line > 0) ?? frames[0];
}
