/**
 * Safe Markdown: builds DOM nodes with text nodes only, so model output can never inject HTML, script
 * or `javascript:` links (raw HTML shows as text; only http(s) and mailto links become links). Works on
 * partial text mid-stream: an unclosed code fence renders as an open code block, an unclosed `**` or
 * backtick stays literal until its closing mark arrives.
 *
 * Supported: paragraphs with line breaks, # headings, fenced and inline code, **bold**, *italic*,
 * [links](https://...), - / 1. lists (nested by indent), > quotes, --- rules, and [n] citations.
 */
import { h } from './dom.js';

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w#+.-]*)/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const RULE = /^ {0,3}([-*_])(\s*\1){2,}\s*$/;
const QUOTE = /^ {0,3}>\s?(.*)$/;
const LIST_ITEM = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;
const SAFE_URL = /^(https?:\/\/|mailto:)/i;

/**
 * @param {string} text markdown (possibly partial)
 * @param {{citation?: (n:number) => Node|null}} ctx
 * @returns {DocumentFragment}
 */
export function renderMarkdown(text, ctx = {}) {
  const fragment = document.createDocumentFragment();
  renderBlocks(String(text ?? '').replace(/\r\n?/g, '\n').split('\n'), fragment, ctx);
  return fragment;
}

function isBlockStart(line) {
  return FENCE.test(line) || HEADING.test(line) || RULE.test(line) || QUOTE.test(line) || LIST_ITEM.test(line);
}

function renderBlocks(lines, parent, ctx) {
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) {
      i++;
      continue;
    }
    let m;
    if ((m = FENCE.exec(line))) {
      const marker = m[1];
      const body = [];
      let closed = false;
      i++;
      while (i < lines.length) {
        const close = lines[i].trim();
        if (close.startsWith(marker[0].repeat(marker.length)) && /^([`~])\1*$/.test(close)) {
          closed = true;
          i++;
          break;
        }
        body.push(lines[i]);
        i++;
      }
      const code = h('code', m[2] ? { 'data-lang': m[2] } : {}, body.join('\n'));
      parent.append(h('pre', { class: closed ? 'code' : 'code code-open' }, code));
      continue;
    }
    if ((m = HEADING.exec(line))) {
      const level = Math.min(m[1].length + 2, 6); // h3..h6 inside a message
      parent.append(inlineInto(h('h' + level, { class: 'md-h' }), m[2], ctx));
      i++;
      continue;
    }
    if (RULE.test(line)) {
      parent.append(h('hr'));
      i++;
      continue;
    }
    if (QUOTE.test(line)) {
      const inner = [];
      while (i < lines.length && (m = QUOTE.exec(lines[i]))) {
        inner.push(m[1]);
        i++;
      }
      const quote = h('blockquote');
      renderBlocks(inner, quote, ctx);
      parent.append(quote);
      continue;
    }
    if ((m = LIST_ITEM.exec(line))) {
      i = renderList(lines, i, parent, ctx);
      continue;
    }
    const para = [];
    while (i < lines.length && lines[i].trim() && (para.length === 0 || !isBlockStart(lines[i]))) {
      para.push(lines[i].trim());
      i++;
    }
    const p = h('p');
    para.forEach((l, idx) => {
      if (idx > 0) p.append(h('br'));
      inlineInto(p, l, ctx);
    });
    parent.append(p);
  }
}

function renderList(lines, start, parent, ctx) {
  const first = LIST_ITEM.exec(lines[start]);
  const indent = first[1].length;
  const ordered = /\d/.test(first[2]);
  const list = ordered ? h('ol', /^\d+/.exec(first[2])[0] !== '1' ? { start: Number.parseInt(first[2], 10) } : {}) : h('ul');
  let i = start;
  while (i < lines.length) {
    const m = LIST_ITEM.exec(lines[i]);
    if (!m || m[1].length !== indent || /\d/.test(m[2]) !== ordered) break;
    const itemLines = [m[3]];
    i++;
    while (i < lines.length) {
      const next = lines[i];
      if (!next.trim()) {
        // A blank line ends the item unless the list goes on, indented, after it.
        const after = lines[i + 1];
        if (after !== undefined && /^\s+\S/.test(after) && leadingSpaces(after) > indent) {
          itemLines.push('');
          i++;
          continue;
        }
        break;
      }
      const nm = LIST_ITEM.exec(next);
      if (nm && nm[1].length <= indent) break;
      if (!nm && isBlockStart(next) && leadingSpaces(next) <= indent) break;
      itemLines.push(next.slice(Math.min(leadingSpaces(next), indent + 2)));
      i++;
    }
    const li = h('li');
    if (itemLines.length === 1) inlineInto(li, itemLines[0], ctx);
    else {
      renderBlocks(itemLines, li, ctx);
      // A tight item renders its first paragraph inline.
      if (li.firstChild && li.firstChild.nodeName === 'P') li.firstChild.replaceWith(...li.firstChild.childNodes);
    }
    list.append(li);
    if (i < lines.length && !lines[i].trim()) {
      const after = lines[i + 1];
      const am = after !== undefined && LIST_ITEM.exec(after);
      if (am && am[1].length === indent) i++;
    }
  }
  parent.append(list);
  return i;
}

function leadingSpaces(line) {
  return line.length - line.trimStart().length;
}

function inlineInto(parent, text, ctx) {
  for (const node of parseInline(text, ctx, 0)) parent.append(node);
  return parent;
}

/** Inline Markdown to nodes. Anything not recognised stays literal text. */
function parseInline(text, ctx, depth) {
  const out = [];
  let buf = '';
  const flush = () => {
    if (buf) out.push(document.createTextNode(buf));
    buf = '';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length && /[\\`*_[\]()#+\-.!>~|]/.test(text[i + 1])) {
      buf += text[i + 1];
      i += 2;
      continue;
    }
    if (c === '`') {
      let n = 1;
      while (text[i + n] === '`') n++;
      const fence = '`'.repeat(n);
      const end = findRun(text, fence, i + n);
      if (end > i + n) {
        flush();
        out.push(h('code', {}, text.slice(i + n, end).replace(/^ (.*) $/, '$1')));
        i = end + n;
      } else {
        buf += fence;
        i += n;
      }
      continue;
    }
    if (depth < 4 && (text.startsWith('**', i) || text.startsWith('__', i))) {
      const mark = text.slice(i, i + 2);
      const end = text.indexOf(mark, i + 2);
      if (end > i + 2 && text[i + 2] !== ' ') {
        flush();
        out.push(h('strong', {}, parseInline(text.slice(i + 2, end), ctx, depth + 1)));
        i = end + 2;
        continue;
      }
    }
    if (depth < 4 && (c === '*' || c === '_') && text[i + 1] && text[i + 1] !== ' ' && text[i + 1] !== c) {
      const wordBefore = i > 0 && /[\p{L}\p{N}]/u.test(text[i - 1]);
      const end = findClosingEmphasis(text, c, i + 1);
      if (end > i + 1 && !(c === '_' && wordBefore)) {
        flush();
        out.push(h('em', {}, parseInline(text.slice(i + 1, end), ctx, depth + 1)));
        i = end + 1;
        continue;
      }
    }
    if (c === '[') {
      const rest = text.slice(i);
      const cite = /^\[(\d{1,3})\]/.exec(rest);
      if (cite && ctx.citation) {
        const node = ctx.citation(Number.parseInt(cite[1], 10));
        if (node) {
          flush();
          out.push(node);
          i += cite[0].length;
          continue;
        }
      }
      const link = /^\[([^\]\n]*)\]\(\s*([^()\s]*)\s*\)/.exec(rest);
      if (link) {
        const url = safeUrl(link[2]);
        if (url && depth < 4) {
          flush();
          out.push(h('a', { href: url, target: '_blank', rel: 'noopener noreferrer nofollow' }, parseInline(link[1], {}, depth + 1)));
          i += link[0].length;
          continue;
        }
      }
    }
    buf += c;
    i++;
  }
  flush();
  return out;
}

function findRun(text, fence, from) {
  let idx = text.indexOf(fence, from);
  while (idx !== -1) {
    const before = text[idx - 1];
    const after = text[idx + fence.length];
    if (before !== '`' && after !== '`') return idx;
    idx = text.indexOf(fence, idx + 1);
  }
  return -1;
}

function findClosingEmphasis(text, mark, from) {
  for (let j = from; j < text.length; j++) {
    if (text[j] === mark && text[j - 1] !== ' ' && text[j + 1] !== mark) {
      if (mark === '_' && j + 1 < text.length && /[\p{L}\p{N}]/u.test(text[j + 1])) continue;
      return j;
    }
  }
  return -1;
}

/** Only absolute http(s) and mailto URLs become links; everything else (javascript:, data:, ...) stays text. */
export function safeUrl(raw) {
  const candidate = String(raw || '').trim();
  if (!SAFE_URL.test(candidate)) return null;
  try {
    const url = new URL(candidate);
    return ['http:', 'https:', 'mailto:'].includes(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}
