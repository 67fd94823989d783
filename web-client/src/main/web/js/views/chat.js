/**
 * The conversation: stored messages, live answers, the composer (Enter sends, Shift+Enter adds a line; under it
 * the model picker and the Deep Research toggle), the stop button, and the notice shown instead of a failed send
 * when a limit is reached.
 */
import { h } from '../dom.js';
import { renderMarkdown } from '../markdown.js';
import { icon } from '../icons.js';
import { modelLabel } from '../model-choice.js';

const PHASE_NAMES = { plan: 'Plan', research: 'Research', conclusion: 'Conclusion' };

const SUGGESTIONS = [
  'What is in the sample library?',
  'Summarise the key ideas with citations',
  'Make a short study guide',
];

export class ChatView {
  /**
   * @param {HTMLElement} root
   * @param {{onSend:(text:string) => void, onStop:() => void, onRetry:(view:AnswerView) => void,
   *          onFeedback:(view:AnswerView, rating:string|null) => void, onClearDoc:() => void,
   *          onModelChange:(id:string) => void}} deps
   */
  constructor(root, deps) {
    this.deps = deps;
    this.messages = h('div', { class: 'messages', id: 'messages', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions text' });
    this.scroller = h('div', { class: 'scroller', id: 'scroller' }, this.messages);
    this.notice = h('div', { class: 'notice', id: 'notice', role: 'status', hidden: true });
    this.docChip = h('div', { class: 'doc-chip', id: 'doc-chip', hidden: true });
    this.input = h('textarea', { id: 'composer-input', class: 'composer-input', rows: 1, maxlength: 8000,
      placeholder: 'Ask a question…', 'aria-label': 'Your question' });
    this.sendBtn = h('button', { type: 'submit', class: 'btn btn-primary send-btn', id: 'send-btn', 'aria-label': 'Send' }, 'Send');
    this.stopBtn = h('button', { type: 'button', class: 'btn btn-danger stop-btn', id: 'stop-btn', hidden: true, title: 'Stop (Esc)' }, icon('stop', 14), 'Stop');
    this.modelPicker = h('select', { id: 'model-picker', class: 'model-picker', 'aria-label': 'Model', title: 'The model that writes the answer', hidden: true });
    this.modelPicker.addEventListener('change', () => this.deps.onModelChange?.(this.modelPicker.value));
    this.deepResearchBtn = h('button', { type: 'button', id: 'deep-research-toggle', class: 'chip-toggle', 'aria-pressed': 'false',
      title: 'Deep Research: a plan, research on each part, then a conclusion (takes longer)' }, icon('search', 14), 'Deep Research');
    this.deepResearchBtn.addEventListener('click', () => { this.deepResearch = !this.deepResearch; });
    const form = h('form', { class: 'composer', id: 'composer' },
      this.docChip,
      h('div', { class: 'composer-row' }, this.input, this.stopBtn, this.sendBtn),
      h('div', { class: 'composer-tools' }, this.modelPicker, this.deepResearchBtn),
      h('p', { class: 'composer-hint muted small' }, 'Enter sends · Shift+Enter adds a line · Answers can be wrong: check the cited sources.'));
    root.replaceChildren(this.scroller, this.notice, form);

    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.submit();
      }
    });
    this.input.addEventListener('input', () => this.autoGrow());
    this.stopBtn.addEventListener('click', () => this.deps.onStop());
    this.busy = false;
    this.lastAnswer = null;
  }

  submit() {
    const text = this.input.value.trim();
    if (!text || this.busy) return;
    this.deps.onSend(text);
  }

  autoGrow() {
    this.input.style.height = 'auto';
    this.input.style.height = Math.min(this.input.scrollHeight, 200) + 'px';
  }

  get composerText() {
    return this.input.value;
  }

  set composerText(text) {
    this.input.value = text;
    this.autoGrow();
  }

  focusComposer() {
    this.input.focus();
  }

  /** Fills the model picker (hidden while no list is known). */
  setModels(models, selectedId) {
    this.modelPicker.replaceChildren(...models.map((m) => h('option', { value: m.id }, m.id)));
    this.modelPicker.hidden = models.length === 0;
    this.selectedModel = selectedId;
  }

  get selectedModel() {
    return this.modelPicker.hidden ? null : this.modelPicker.value || null;
  }

  set selectedModel(id) {
    if (id && [...this.modelPicker.options].some((o) => o.value === id)) this.modelPicker.value = id;
  }

  get deepResearch() {
    return this.deepResearchBtn.getAttribute('aria-pressed') === 'true';
  }

  set deepResearch(on) {
    this.deepResearchBtn.setAttribute('aria-pressed', String(!!on));
    this.input.placeholder = on ? 'Ask a research question…' : 'Ask a question…';
  }

  setBusy(busy) {
    this.busy = busy;
    this.stopBtn.hidden = !busy;
    this.sendBtn.hidden = busy;
    this.stopBtn.disabled = false;
    this.stopBtn.replaceChildren(icon('stop', 14), 'Stop');
  }

  setStopping() {
    this.stopBtn.disabled = true;
    this.stopBtn.textContent = 'Stopping…';
  }

  showNotice(kind, text) {
    this.notice.hidden = false;
    this.notice.dataset.kind = kind;
    this.notice.replaceChildren(h('span', { class: 'notice-text' }, text),
      h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Dismiss', onclick: () => this.clearNotice() }, '×'));
  }

  clearNotice() {
    this.notice.hidden = true;
    this.notice.replaceChildren();
  }

  setDoc(doc) {
    this.docChip.hidden = !doc;
    if (!doc) return this.docChip.replaceChildren();
    this.docChip.replaceChildren(h('span', {}, 'Asking about '), h('strong', {}, doc.title || doc.docId),
      h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Ask about all documents', onclick: () => this.deps.onClearDoc() }, '×'));
  }

  /** Empty state for a new conversation. */
  showWelcome(name) {
    this.lastAnswer = null;
    const chips = SUGGESTIONS.map((s) => h('button', { type: 'button', class: 'suggestion', onclick: () => { this.composerText = s; this.focusComposer(); } }, s));
    this.messages.replaceChildren(h('div', { class: 'welcome' },
      h('div', { class: 'welcome-mark', 'aria-hidden': 'true' }, '◆'),
      h('h2', {}, name ? `Hi ${name}, what would you like to know?` : 'What would you like to know?'),
      h('p', { class: 'muted' }, 'Answers stream in with [n] citations to the passages they come from.'),
      h('div', { class: 'suggestions' }, chips)));
  }

  showLoading() {
    this.lastAnswer = null;
    this.messages.replaceChildren(h('div', { class: 'loading muted' }, 'Loading conversation…'));
  }

  /** Renders a stored session (contract: GET /chat/sessions/{id}). */
  renderSession(session) {
    this.messages.replaceChildren();
    this.lastAnswer = null;
    for (const message of session.messages || []) {
      if (message.role === 'user') this.appendUser(message.content);
      else {
        const view = new AnswerView(this.deps);
        view.showStored(message);
        this.messages.append(view.el);
        this.setLast(view);
      }
    }
    this.scrollToEnd(true);
  }

  appendUser(text) {
    this.messages.querySelector('.welcome, .loading')?.remove();
    const el = h('article', { class: 'msg msg-user' }, h('div', { class: 'bubble' }, text));
    this.messages.append(el);
    this.scrollToEnd(true);
    return el;
  }

  /** A live answer, thinking until its first token. */
  appendLiveAnswer() {
    const view = new AnswerView(this.deps);
    view.showThinking();
    this.messages.append(view.el);
    this.scrollToEnd(true);
    return view;
  }

  setLast(view) {
    if (this.lastAnswer && this.lastAnswer !== view) this.lastAnswer.setLast(false);
    this.lastAnswer = view;
    view.setLast(true);
  }

  nearBottom() {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < 120;
  }

  /** Keeps following the answer unless the reader scrolled up. */
  scrollToEnd(force = false) {
    if (force || this.nearBottom()) this.scroller.scrollTop = this.scroller.scrollHeight;
  }
}

/** One assistant message: content, sources, versions, feedback, retry; stored or live. */
export class AnswerView {
  constructor(deps) {
    this.deps = deps;
    this.message = null;
    this.versionIndex = 0;
    this.citations = [];
    this.content = h('div', { class: 'md answer-content' });
    this.research = h('div', { class: 'research-progress', role: 'status', hidden: true });
    this.status = h('div', { class: 'answer-status' });
    this.sources = h('ol', { class: 'sources', hidden: true, 'aria-label': 'Sources' });
    this.actions = h('div', { class: 'msg-actions' });
    this.el = h('article', { class: 'msg msg-assistant' },
      h('div', { class: 'avatar', 'aria-hidden': 'true' }, '◆'),
      h('div', { class: 'msg-main' }, h('div', { class: 'bubble' }, this.research, this.content, this.status), this.sources, this.actions));
    this.isLast = false;
    this.streaming = false;
  }

  get messageId() {
    return this.message?.id || null;
  }

  showThinking() {
    this.streaming = true;
    this.el.classList.add('streaming');
    this.el.classList.remove('stopped', 'failed');
    this.content.setAttribute('aria-busy', 'true');
    this.content.replaceChildren(h('div', { class: 'thinking', role: 'status' },
      h('span', { class: 'thinking-dots', 'aria-hidden': 'true' }, h('i'), h('i'), h('i')), 'Thinking…'));
    this.status.replaceChildren();
    this.sources.hidden = true;
    this.actions.replaceChildren();
    this.research.hidden = true;
    this.research.replaceChildren();
  }

  /**
   * Deep Research: the phases so far (`chat-stream-progress`), the current one marked.
   * @param {{of:number, current:number, steps:Map<number,{phase:string,title:string}>}} progress
   * @param {boolean} finished every phase is done (the report is complete)
   */
  showProgress(progress, finished = false) {
    if (!progress || progress.steps.size === 0) return;
    const iterations = [...progress.steps.keys()].sort((a, b) => a - b);
    const current = progress.steps.get(progress.current);
    const head = finished
      ? `Deep Research · ${iterations.length} ${iterations.length === 1 ? 'step' : 'steps'}`
      : `Deep Research · step ${progress.current} of ${progress.of} · ${PHASE_NAMES[current?.phase] || current?.phase || ''}`;
    const items = iterations.map((i) => {
      const step = progress.steps.get(i);
      const state = finished || i < progress.current ? 'done' : i === progress.current ? 'current' : 'todo';
      return h('li', { class: `research-step research-${state}`, dataset: { phase: step.phase, iteration: i },
        'aria-current': state === 'current' ? 'step' : null },
        h('span', { class: 'research-phase' }, PHASE_NAMES[step.phase] || step.phase), ' ', h('span', { class: 'research-title' }, step.title || ''));
    });
    this.research.hidden = false;
    this.research.classList.toggle('finished', finished);
    this.research.replaceChildren(h('div', { class: 'research-head' }, head), h('ol', { class: 'research-steps' }, items));
  }

  /** Called at most once per animation frame by the stream renderer. */
  renderStreaming(text) {
    if (!text) return;
    this.el.classList.remove('thinking-state');
    const fragment = renderMarkdown(text, { citation: (n) => this.citationNode(n) });
    this.content.replaceChildren(fragment);
    // The caret sits at the end of the last line, inside the last paragraph, item or code block.
    let target = this.content.lastElementChild || this.content;
    while (target.lastElementChild && ['UL', 'OL', 'LI', 'BLOCKQUOTE', 'PRE'].includes(target.nodeName)) target = target.lastElementChild;
    target.append(h('span', { class: 'caret', 'aria-hidden': 'true' }));
  }

  markStopping() {
    this.status.replaceChildren(h('span', { class: 'muted small' }, 'Stopping…'));
  }

  /** chat-stream-complete */
  finish(payload) {
    this.streaming = false;
    this.el.classList.remove('streaming');
    this.content.removeAttribute('aria-busy');
    const message = {
      id: payload.messageId || this.message?.id || null,
      content: payload.content ?? '',
      citations: payload.citations || [],
      stopped: !!payload.stopped,
      versions: this.message?.versions || [],
      feedback: this.message?.feedback ?? null,
      provider: payload.provider ?? null,
      model: payload.model ?? null,
    };
    this.showStored(message);
  }

  /** chat-stream-error: keeps what arrived, says what went wrong. */
  fail(text, partial) {
    this.streaming = false;
    this.el.classList.remove('streaming');
    this.el.classList.add('failed');
    this.content.removeAttribute('aria-busy');
    if (partial) this.content.replaceChildren(renderMarkdown(partial, { citation: (n) => this.citationNode(n) }));
    else this.content.replaceChildren();
    this.status.replaceChildren(h('span', { class: 'error-note' }, '⚠ ' + text));
    this.actions.replaceChildren();
  }

  showStored(message) {
    this.message = message;
    const versions = Array.isArray(message.versions) && message.versions.length > 1 ? message.versions : null;
    this.versionIndex = versions ? versions.length - 1 : 0;
    this.renderVersion();
  }

  current() {
    const versions = this.message.versions;
    if (Array.isArray(versions) && versions.length > 1) {
      const v = versions[this.versionIndex];
      return { content: v.content, citations: v.citations || [], stopped: !!v.stopped, writtenBy: modelLabel(v.provider, v.model), route: v.route ?? null };
    }
    // One version: the message itself; what wrote it is on its (only) stored version, or on the live completion.
    const only = Array.isArray(versions) && versions.length === 1 ? versions[0] : this.message;
    return { content: this.message.content, citations: this.message.citations || [], stopped: !!this.message.stopped,
      writtenBy: modelLabel(only.provider, only.model), route: only.route ?? null };
  }

  /** The route of the version shown (`deep_research` for a Deep Research report). */
  get shownRoute() {
    return this.message ? this.current().route : null;
  }

  renderVersion() {
    const { content, citations, stopped } = this.current();
    this.citations = citations || [];
    this.el.classList.toggle('stopped', stopped);
    this.el.classList.remove('failed', 'streaming');
    this.content.replaceChildren(renderMarkdown(content, { citation: (n) => this.citationNode(n) }));
    if (!content && !stopped) this.content.append(h('p', { class: 'muted' }, '(empty answer)'));
    this.status.replaceChildren(stopped ? h('span', { class: 'stopped-note' }, '■ Stopped — partial answer') : '');
    this.renderSources();
    this.renderActions();
  }

  citationNode(n) {
    const known = this.citations.some((c) => c.number === n);
    const btn = h('button', { type: 'button', class: 'cite' + (known ? '' : ' cite-pending'), dataset: { cite: n },
      'aria-label': `Source ${n}`, title: known ? this.citationTitle(n) : `Source ${n}` }, String(n));
    btn.addEventListener('click', () => {
      const item = this.sources.querySelector(`[data-source="${n}"]`);
      if (!item) return;
      item.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
      item.classList.remove('flash');
      void item.offsetWidth;
      item.classList.add('flash');
    });
    return btn;
  }

  citationTitle(n) {
    const c = this.citations.find((x) => x.number === n);
    return c ? `${c.title || 'Source'}${c.page != null ? `, p. ${c.page}` : ''}` : '';
  }

  renderSources() {
    const list = [...this.citations].sort((a, b) => a.number - b.number);
    this.sources.hidden = list.length === 0;
    this.sources.replaceChildren(...list.map((c) => h('li', { class: 'source', dataset: { source: c.number }, id: null },
      h('span', { class: 'source-num' }, String(c.number)),
      h('div', { class: 'source-body' },
        h('div', { class: 'source-head' }, h('span', { class: 'source-title' }, c.title || 'Untitled'),
          c.page != null ? h('span', { class: 'source-page muted' }, `p. ${c.page}`) : null),
        c.quote ? h('blockquote', { class: 'source-quote' }, c.quote) : null))));
  }

  setLast(isLast) {
    this.isLast = isLast;
    if (this.message && !this.streaming) this.renderActions();
  }

  renderActions() {
    const items = [];
    const versions = this.message?.versions;
    if (Array.isArray(versions) && versions.length > 1) {
      const prev = h('button', { type: 'button', class: 'icon-btn version-prev', 'aria-label': 'Previous version', disabled: this.versionIndex === 0 }, '‹');
      const next = h('button', { type: 'button', class: 'icon-btn version-next', 'aria-label': 'Next version', disabled: this.versionIndex === versions.length - 1 }, '›');
      prev.addEventListener('click', () => { this.versionIndex--; this.renderVersion(); });
      next.addEventListener('click', () => { this.versionIndex++; this.renderVersion(); });
      items.push(h('span', { class: 'versions' }, prev, h('span', { class: 'version-label' }, `${this.versionIndex + 1} / ${versions.length}`), next));
    }
    if (this.message?.id) {
      const rating = this.message.feedback ?? null;
      const up = h('button', { type: 'button', class: 'icon-btn feedback-up', 'aria-label': 'Good answer', 'aria-pressed': String(rating === 'up'), title: 'Good answer' }, icon('up'));
      const down = h('button', { type: 'button', class: 'icon-btn feedback-down', 'aria-label': 'Bad answer', 'aria-pressed': String(rating === 'down'), title: 'Bad answer' }, icon('down'));
      up.addEventListener('click', () => this.deps.onFeedback(this, rating === 'up' ? null : 'up'));
      down.addEventListener('click', () => this.deps.onFeedback(this, rating === 'down' ? null : 'down'));
      items.push(up, down);
    }
    const writtenBy = this.message ? this.current().writtenBy : null;
    if (writtenBy) items.push(h('span', { class: 'version-model muted small', title: 'The model that wrote this version' }, `written by ${writtenBy}`));
    if (this.isLast && this.message) {
      const retry = h('button', { type: 'button', class: 'btn btn-small btn-ghost retry-btn' }, icon('retry', 14), 'Retry');
      retry.addEventListener('click', () => this.deps.onRetry(this));
      items.push(retry);
    }
    this.actions.replaceChildren(...items);
  }

  setFeedback(rating) {
    if (!this.message) return;
    this.message.feedback = rating;
    this.renderActions();
  }
}
