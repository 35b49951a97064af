// Makes the live DOM look like a VNode tree, keeping every element that can stay: a keyed child
// is the same element as long as its key is there, others are kept by position and tag. So the
// element under the pointer (its tooltip, a click about to land) and the one with the keyboard
// focus (the filter being typed in) survive the updates that arrive several times a second.
// Text is set as text nodes (never parsed as HTML); styles through the CSSOM (the CSP allows no
// inline style attributes); handlers sit in a map found by one delegated listener per event.
import type { Handlers, VNode } from './vnode';

const keys = new WeakMap<Node, string>();
const handlers = new WeakMap<Node, Handlers>();

type Control = HTMLInputElement | HTMLSelectElement;

const isControl = (el: Element): el is Control => el instanceof HTMLInputElement || el instanceof HTMLSelectElement;

/** One listener per event type on the document, calling the handler of the nearest element that has one. */
export function listen(doc: Document): void {
  for (const type of ['click', 'input', 'change'] as const) {
    doc.addEventListener(type, (e) => {
      for (let n = e.target as Node | null; n && n !== doc; n = n.parentNode) {
        const on = handlers.get(n)?.[type];
        if (!on) continue;
        on(n instanceof Element && isControl(n) ? n.value : '');
        return;
      }
    });
  }
}

/**
 * Makes `parent`'s children look like `kids`. Keyed children are matched by tag and key, the others
 * in order among the unkeyed ones (by kind and tag). Children that stay are never taken out of
 * the document (moving a node blurs it): the ones that go are removed first, so the rest keep their
 * order and only the reordered ones move.
 */
export function patchChildren(parent: Element, kids: VNode[]): void {
  const keyed = new Map<string, Node>();
  const unkeyed: Node[] = [];
  for (const c of parent.childNodes) {
    const key = keys.get(c);
    if (key !== undefined) keyed.set(`${c.nodeName}\0${key}`, c);
    else unkeyed.push(c);
  }
  let next = 0;
  const matches: (Node | undefined)[] = kids.map((v) => {
    if (typeof v !== 'string' && v.key !== undefined) {
      const id = `${v.tag.toUpperCase()}\0${v.key}`;
      const node = keyed.get(id);
      // Each element once, also when two siblings share a key.
      keyed.delete(id);
      return node;
    }
    const node = unkeyed[next++];
    if (typeof v === 'string') return node instanceof Text ? node : undefined;
    return node instanceof Element && node.nodeName === v.tag.toUpperCase() ? node : undefined;
  });
  const kept = new Set(matches);
  for (const c of [...parent.childNodes]) if (!kept.has(c)) c.remove();
  kids.forEach((v, at) => {
    let node = matches[at];
    if (node) update(node, v);
    else node = create(parent.ownerDocument, v);
    const here = parent.childNodes[at] ?? null;
    if (node !== here) parent.insertBefore(node, here);
  });
}

function create(doc: Document, v: VNode): Node {
  if (typeof v === 'string') return doc.createTextNode(v);
  const el = doc.createElement(v.tag);
  if (v.key !== undefined) keys.set(el, v.key);
  update(el, v);
  return el;
}

function update(node: Node, v: VNode): void {
  if (typeof v === 'string') {
    if (node.nodeValue !== v) node.nodeValue = v;
    return;
  }
  const el = node as HTMLElement;
  for (const { name } of [...el.attributes]) if (name !== 'style' && !(name in v.attrs)) el.removeAttribute(name);
  for (const [name, value] of Object.entries(v.attrs)) if (el.getAttribute(name) !== value) el.setAttribute(name, value);
  for (const name of [...el.style]) if (!(name in v.style)) el.style.removeProperty(name);
  for (const [name, value] of Object.entries(v.style)) if (el.style.getPropertyValue(name) !== value) el.style.setProperty(name, value);
  handlers.set(el, v.on);
  patchChildren(el, v.kids);
  // After the children: a select's value needs its options. Only when it differs, so the caret
  // of an input being typed in stays where it is.
  if (v.value !== undefined && isControl(el) && el.value !== v.value) el.value = v.value;
}
