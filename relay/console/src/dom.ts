type Child = Node | string | number | null | undefined | false;
type AttrValue = string | number | boolean | null | undefined;

/**
 * Creates an element. Attributes are set with setAttribute (true → present,
 * false/null/undefined → absent); strings become text nodes, so relay data is
 * never parsed as HTML.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, AttrValue> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) setAttr(el, name, value);
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

export function setAttr(el: Element, name: string, value: AttrValue): void {
  if (value === false || value === null || value === undefined) el.removeAttribute(name);
  else el.setAttribute(name, value === true ? '' : String(value));
}

/** Sets text only when it changed, so a once-a-second refresh does not churn the DOM. */
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

/** A "中文 English" pair rendered as two spans so the English can be styled quieter. */
export function bi(label: { zh: string; en: string }, cls = ''): HTMLSpanElement {
  return h('span', { class: `bi ${cls}`.trim() }, h('span', { class: 'zh' }, label.zh), ' ', h('span', { class: 'en' }, label.en));
}

export function setBi(el: HTMLElement, label: { zh: string; en: string }): void {
  const zh = el.querySelector(':scope > .zh');
  const en = el.querySelector(':scope > .en');
  if (zh && en) {
    setText(zh, label.zh);
    setText(en, label.en);
  } else el.replaceChildren(h('span', { class: 'zh' }, label.zh), ' ', h('span', { class: 'en' }, label.en));
}
