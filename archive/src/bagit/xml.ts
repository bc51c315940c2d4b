/** A tiny XML writer: elements with attributes and either text or children, every value escaped. */
import { escapeXml } from './encoding.js';

export interface XmlElement {
  name: string;
  attrs?: Record<string, string>;
  /** Text content (escaped), or child elements; not both. */
  content?: string | XmlElement[];
}

/** An element; `content` may be text, children, or nothing. Empty children are dropped. */
export function el(name: string, content?: string | Array<XmlElement | null | undefined>, attrs?: Record<string, string>): XmlElement {
  const element: XmlElement = { name };
  if (attrs) element.attrs = attrs;
  if (typeof content === 'string') element.content = content;
  else if (content) element.content = content.filter((child): child is XmlElement => child != null);
  return element;
}

function render(element: XmlElement, depth: number, out: string[]): void {
  const pad = '  '.repeat(depth);
  const attrs = Object.entries(element.attrs ?? {})
    .map(([key, value]) => ` ${key}="${escapeXml(value)}"`)
    .join('');
  const { content } = element;
  if (content === undefined || (Array.isArray(content) && content.length === 0)) {
    out.push(`${pad}<${element.name}${attrs}/>\n`);
  } else if (typeof content === 'string') {
    out.push(`${pad}<${element.name}${attrs}>${escapeXml(content)}</${element.name}>\n`);
  } else {
    out.push(`${pad}<${element.name}${attrs}>\n`);
    for (const child of content) render(child, depth + 1, out);
    out.push(`${pad}</${element.name}>\n`);
  }
}

/** A UTF-8 XML document with LF line endings. */
export function xmlDocument(root: XmlElement): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>\n'];
  render(root, 0, out);
  return out.join('');
}
