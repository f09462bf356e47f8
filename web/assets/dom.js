/** A tiny element builder: attributes via setAttribute and text via text nodes, so data never becomes markup. */

/**
 * h('p', { class: 'hint', id: 'x' }, 'text', child) → <p class="hint" id="x">text<child/></p>.
 * `false`, `null` and `undefined` attribute values are left out; `true` sets an empty attribute.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** Replaces an element's children with plain text. */
export function setText(element, text) {
  element.textContent = text;
}

export function byId(id) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element;
}
