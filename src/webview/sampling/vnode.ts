// What the page's render functions return: plain data describing elements, which patch.ts makes
// the live DOM look like. Built without the DOM, so the views can be tested without a browser.
// Every string shown goes through safeText() here: names from the target may hold control or bidi
// characters (shown escaped, as in the rest of Snag), and text is only ever set as text, never as HTML.
import { safeText } from '../../core/text/safeText';

/** Handlers get the element's value (an input's text, a select's choice) rather than the DOM event. */
export interface Handlers {
  click?: () => void;
  input?: (value: string) => void;
  change?: (value: string) => void;
}

export interface VElement {
  tag: string;
  /** Matches the element among its siblings across updates (else matched by position and tag). */
  key?: string;
  attrs: Record<string, string>;
  /** Set through the CSSOM: the Content-Security-Policy blocks inline style attributes. */
  style: Record<string, string>;
  on: Handlers;
  /** A form control's value (an input's text, a select's option), set as the property. */
  value?: string;
  kids: VNode[];
}

export type VNode = VElement | string;

export interface Props {
  key?: string | number;
  style?: Record<string, string>;
  on?: Handlers;
  /** A form control's current value (VElement.value); an attribute named `value` stays an attribute. */
  current?: string;
  /** Attributes: `false` and `undefined` leave one out, `true` sets it empty. */
  [attr: string]: string | number | boolean | undefined | Record<string, string> | Handlers;
}

export type Child = VNode | null | undefined | false;

export function h(tag: string, props: Props = {}, kids: Child[] = []): VElement {
  const { key, style, on, current, ...rest } = props;
  const attrs: Record<string, string> = {};
  for (const [name, v] of Object.entries(rest)) {
    if (v === undefined || v === false || typeof v === 'object') continue;
    attrs[name] = v === true ? '' : safeText(String(v));
  }
  const el: VElement = { tag, attrs, style: style ?? {}, on: on ?? {}, kids: [] };
  if (key !== undefined) el.key = String(key);
  if (current !== undefined) el.value = current;
  for (const kid of kids) if (kid !== null && kid !== undefined && kid !== false) el.kids.push(typeof kid === 'string' ? safeText(kid) : kid);
  return el;
}
