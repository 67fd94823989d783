/**
 * The sessions sidebar: newest first, the next page loaded with `before` when the list is scrolled near
 * its end; open, rename (inline) and delete.
 */
import { h, formatRelative } from '../dom.js';
import { icon } from '../icons.js';

const PAGE_SIZE = 20;

export class SessionList {
  /**
   * @param {HTMLElement} root scrollable list container
   * @param {{load: (before?: string) => Promise<object[]>, onOpen: (id) => void, onRename: (id, title) => Promise<void>, onDelete: (id) => Promise<void>}} deps
   */
  constructor(root, deps) {
    this.root = root;
    this.deps = deps;
    this.sessions = [];
    this.activeId = null;
    this.loading = false;
    this.exhausted = false;
    this.list = h('ul', { class: 'session-list', id: 'session-list' });
    this.footer = h('div', { class: 'session-footer muted small' });
    root.replaceChildren(this.list, this.footer);
    this.onScroll = () => {
      if (this.root.scrollTop + this.root.clientHeight >= this.root.scrollHeight - 80) this.loadMore();
    };
    root.addEventListener('scroll', this.onScroll, { passive: true });
  }

  async reload() {
    this.exhausted = false;
    this.loading = false;
    const first = await this.fetchPage();
    this.sessions = first;
    this.render();
    this.fillViewport();
  }

  async loadMore() {
    if (this.loading || this.exhausted) return;
    const page = await this.fetchPage(this.sessions.at(-1)?.updatedAt);
    const known = new Set(this.sessions.map((s) => s.sessionId));
    this.sessions.push(...page.filter((s) => !known.has(s.sessionId)));
    this.render();
    this.fillViewport();
  }

  /** Keeps loading while the list does not fill its box (no scroll event would ever come). */
  fillViewport() {
    if (!this.exhausted && this.root.scrollHeight <= this.root.clientHeight + 10) queueMicrotask(() => this.loadMore());
  }

  async fetchPage(before) {
    this.loading = true;
    this.footer.textContent = 'Loading…';
    try {
      const page = (await this.deps.load(before, PAGE_SIZE)) || [];
      if (page.length < PAGE_SIZE) this.exhausted = true;
      return page;
    } catch (e) {
      this.exhausted = true;
      return [];
    } finally {
      this.loading = false;
    }
  }

  /** A session just got a new answer or was created: move it to the top without a reload. */
  touch(sessionId, title) {
    const existing = this.sessions.find((s) => s.sessionId === sessionId);
    const entry = existing || { sessionId, title: title || 'New chat' };
    entry.updatedAt = new Date().toISOString();
    if (title && (!existing || !existing.title)) entry.title = title;
    this.sessions = [entry, ...this.sessions.filter((s) => s.sessionId !== sessionId)];
    this.render();
  }

  has(sessionId) {
    return this.sessions.some((s) => s.sessionId === sessionId);
  }

  /** The title the list shows for a session, or null when the session is not (yet) listed. */
  titleOf(sessionId) {
    return this.sessions.find((s) => s.sessionId === sessionId)?.title || null;
  }

  setActive(id) {
    this.activeId = id;
    for (const li of this.list.children) li.classList.toggle('active', li.dataset.sessionId === id);
  }

  remove(id) {
    this.sessions = this.sessions.filter((s) => s.sessionId !== id);
    this.render();
  }

  render() {
    this.footer.textContent = this.sessions.length === 0 ? 'No conversations yet.' : this.exhausted ? '' : ' ';
    this.list.replaceChildren(...this.sessions.map((s) => this.renderItem(s)));
  }

  renderItem(session) {
    const li = h('li', { class: 'session-item' + (session.sessionId === this.activeId ? ' active' : ''), dataset: { sessionId: session.sessionId } });
    const open = h('a', { class: 'session-link', href: `#/s/${encodeURIComponent(session.sessionId)}` },
      h('span', { class: 'session-title' }, session.title || 'Untitled'),
      h('span', { class: 'session-time muted small' }, formatRelative(session.updatedAt)));
    const rename = h('button', { type: 'button', class: 'icon-btn session-rename', 'aria-label': 'Rename conversation', title: 'Rename' }, icon('edit', 15));
    const del = h('button', { type: 'button', class: 'icon-btn session-delete', 'aria-label': 'Delete conversation', title: 'Delete' }, icon('trash', 15));
    rename.addEventListener('click', () => this.startRename(li, session));
    del.addEventListener('click', async () => {
      if (!window.confirm(`Delete “${session.title || 'this conversation'}”?`)) return;
      await this.deps.onDelete(session.sessionId);
    });
    li.append(open, h('span', { class: 'session-actions' }, rename, del));
    return li;
  }

  startRename(li, session) {
    const input = h('input', { class: 'session-rename-input', value: session.title || '', maxlength: 80, 'aria-label': 'New title' });
    const finish = async (save) => {
      input.removeEventListener('blur', onBlur);
      const title = input.value.trim();
      if (save && title && title !== session.title) {
        try {
          await this.deps.onRename(session.sessionId, title);
          session.title = title;
        } catch {
          /* the app shows a toast */
        }
      }
      this.render();
    };
    const onBlur = () => finish(true);
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') { e.preventDefault(); finish(true); }
      if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); finish(false); }
    });
    input.addEventListener('blur', onBlur);
    li.replaceChildren(input);
    input.focus();
    input.select();
  }
}
