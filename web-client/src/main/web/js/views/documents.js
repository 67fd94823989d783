/** The documents panel: upload (.txt, .md, .pdf), the list with each status, delete, and "ask about". */
import { h } from '../dom.js';

const ACCEPT = '.txt,.md,.pdf,text/plain,text/markdown,application/pdf';

export class DocumentsView {
  /**
   * @param {HTMLElement} root
   * @param {{onUpload:(file) => Promise<void>, onDelete:(docId) => Promise<void>, onSelect:(doc|null) => void}} deps
   */
  constructor(root, deps) {
    this.root = root;
    this.deps = deps;
    this.docs = [];
    this.selectedId = null;
    this.input = h('input', { type: 'file', accept: ACCEPT, id: 'doc-upload', class: 'visually-hidden' });
    this.input.addEventListener('change', async () => {
      const file = this.input.files?.[0];
      this.input.value = '';
      if (file) await this.deps.onUpload(file);
    });
    this.list = h('ul', { class: 'doc-list', id: 'doc-list' });
    root.replaceChildren(
      h('div', { class: 'panel-head' }, h('h2', { class: 'panel-title' }, 'Documents'),
        h('label', { for: 'doc-upload', class: 'btn btn-small btn-ghost', title: '.txt, .md or .pdf up to 10 MB' }, '+ Upload')),
      this.input, this.list);
    this.render();
  }

  set(docs) {
    this.docs = docs || [];
    this.render();
  }

  upsert(doc) {
    const i = this.docs.findIndex((d) => d.docId === doc.docId);
    if (i >= 0) this.docs[i] = { ...this.docs[i], ...doc };
    else this.docs.unshift(doc);
    this.render();
  }

  find(docId) {
    return this.docs.find((d) => d.docId === docId) || null;
  }

  remove(docId) {
    this.docs = this.docs.filter((d) => d.docId !== docId);
    if (this.selectedId === docId) this.select(null);
    this.render();
  }

  select(doc) {
    this.selectedId = doc ? doc.docId : null;
    this.deps.onSelect(doc);
    this.render();
  }

  render() {
    if (this.docs.length === 0) {
      this.list.replaceChildren(h('li', { class: 'muted small doc-empty' }, 'Upload notes or a PDF to ask about it.'));
      return;
    }
    this.list.replaceChildren(...this.docs.map((doc) => {
      const status = doc.status || 'indexing';
      const ask = h('button', { type: 'button', class: 'doc-name', title: status === 'ready' ? 'Ask about this document' : 'Not ready yet',
        disabled: status !== 'ready', 'aria-pressed': String(this.selectedId === doc.docId) }, doc.title || doc.fileName || doc.docId);
      ask.addEventListener('click', () => this.select(this.selectedId === doc.docId ? null : doc));
      const del = doc.shared ? null : h('button', { type: 'button', class: 'icon-btn', 'aria-label': `Delete ${doc.title || 'document'}`, title: 'Delete' }, '×');
      del?.addEventListener('click', () => this.deps.onDelete(doc.docId));
      // While indexing: the phase and percent of the last document-progress (e.g. "embedding 55%").
      const progressing = status === 'indexing' && doc.phase && Number.isFinite(doc.percent);
      const badge = h('span', { class: `badge badge-${status}` }, progressing ? `${doc.phase} ${doc.percent}%` : status);
      const bar = progressing ? h('progress', { class: 'doc-progress', max: 100, value: doc.percent, 'aria-label': `Indexing ${doc.title || 'document'}` }) : null;
      return h('li', { class: 'doc-item' + (this.selectedId === doc.docId ? ' selected' : ''), dataset: { docId: doc.docId, status } },
        ask, badge, del, bar);
    }));
  }
}
