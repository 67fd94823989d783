/**
 * The page controller: signs in, builds the shell, routes `#/s/{id}`, sends questions, and turns socket
 * events into view updates. Views render; this module decides.
 */
import { api, ApiError } from './api.js';
import { Connection } from './socket.js';
import { ServerEvents, ClientEvents, ConnectionState } from './events.js';
import { StreamRenderer, StreamTracker } from './stream-renderer.js';
import { h, randomId } from './dom.js';
import { icon } from './icons.js';
import { renderLogin } from './views/login.js';
import { Toasts } from './views/toasts.js';
import { SessionList } from './views/sidebar.js';
import { ChatView } from './views/chat.js';
import { DocumentsView } from './views/documents.js';
import { QuotaView, ConnectionView } from './views/status-bar.js';
import { DocumentsController } from './controllers/documents.js';
import { LimitNotices } from './controllers/limits.js';
import { saveRunningStreams, loadRunningStreams, clearRunningStreams } from './stream-storage.js';
import { ModelChoice } from './model-choice.js';

const RESUME_GAP_DELAY_MS = 300;

class App {
  constructor() {
    this.root = document.getElementById('app');
    this.toasts = new Toasts(document.getElementById('toasts'));
    this.tracker = new StreamTracker();
    this.connection = null;
    this.user = null;
    this.currentSessionId = null;
    this.viewToken = 0;
    this.selectedDoc = null;
    this.onHashChange = () => this.route();
    this.onKeyDown = (e) => {
      if (e.key === 'Escape' && this.liveEntryOfCurrentSession()) {
        e.preventDefault();
        this.stop();
      }
    };
  }

  async boot() {
    try {
      this.config = await api.config();
    } catch (e) {
      return this.showFatal('The server is not reachable right now.', () => this.boot());
    }
    try {
      this.user = await api.me();
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return this.showLogin();
      return this.showFatal(e.message, () => this.boot());
    }
    this.start();
  }

  showFatal(message, retry) {
    this.root.replaceChildren(h('main', { class: 'login-screen' }, h('div', { class: 'login-card' },
      h('div', { class: 'brand brand-large' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, '◆'), 'streamchat'),
      h('p', { role: 'alert' }, message),
      h('button', { type: 'button', class: 'btn btn-primary', onclick: retry }, 'Try again'))));
  }

  showLogin(error) {
    this.teardown();
    renderLogin(this.root, {
      error,
      onSubmit: async (userId, plan) => {
        await api.devLogin(userId, plan);
        this.user = await api.me();
        this.start();
      },
    });
  }

  teardown() {
    this.connection?.close();
    this.connection = null;
    this.tracker.clear();
    this.limits?.stop();
    window.removeEventListener('hashchange', this.onHashChange);
    document.removeEventListener('keydown', this.onKeyDown);
  }

  // ---------------------------------------------------------------- shell

  start() {
    this.teardown();
    const sessionsBox = h('nav', { class: 'sessions', 'aria-label': 'Conversations' });
    const docsBox = h('section', { class: 'documents', id: 'documents' });
    const quotaBox = h('div', { class: 'quota', id: 'quota' });
    const connBox = h('div', { class: 'conn', id: 'conn-state', role: 'status', 'aria-live': 'polite' });
    const chatBox = h('section', { class: 'chat', id: 'chat' });
    this.titleEl = h('h1', { class: 'chat-title', id: 'chat-title' }, 'New chat');
    const sidebar = h('aside', { class: 'sidebar', id: 'sidebar' },
      h('div', { class: 'sidebar-head' },
        h('div', { class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, '◆'), 'streamchat'),
        h('a', { class: 'btn btn-primary btn-block', id: 'new-chat', href: '#/' }, '+ New chat')),
      sessionsBox, docsBox,
      h('div', { class: 'sidebar-foot' }, quotaBox,
        h('div', { class: 'user-row' },
          h('span', { class: 'avatar-user', 'aria-hidden': 'true' }, (this.user.userId[0] || '?').toUpperCase()),
          h('span', { class: 'user-name', id: 'user-name' }, this.user.userId),
          h('span', { class: 'badge badge-plan' }, this.user.plan),
          h('button', { type: 'button', class: 'btn btn-small btn-ghost', id: 'logout', onclick: () => this.logout() }, 'Sign out'))));
    const backdrop = h('div', { class: 'backdrop', onclick: () => this.toggleSidebar(false) });
    const header = h('header', { class: 'topbar' },
      h('button', { type: 'button', class: 'icon-btn menu-btn', id: 'menu-btn', 'aria-label': 'Conversations', 'aria-controls': 'sidebar',
        onclick: () => this.toggleSidebar() }, icon('menu', 20)),
      this.titleEl, connBox);
    this.shell = h('div', { class: 'shell' }, sidebar, backdrop, h('main', { class: 'main' }, header, chatBox));
    this.root.replaceChildren(this.shell);

    this.quota = new QuotaView(quotaBox);
    this.connView = new ConnectionView(connBox);
    this.sessions = new SessionList(sessionsBox, {
      load: (before, limit) => api.sessions({ before, limit }),
      onRename: (id, title) => this.renameSession(id, title),
      onDelete: (id) => this.deleteSession(id),
    });
    this.docs = new DocumentsView(docsBox, {
      onUpload: (file) => this.documents.upload(file),
      onDelete: (docId) => this.documents.remove(docId),
      onSelect: (doc) => { this.selectedDoc = doc; this.chat.setDoc(doc); },
    });
    this.chat = new ChatView(chatBox, {
      onSend: (text) => this.send(text),
      onStop: () => this.stop(),
      onRetry: (view) => this.retryLast(view),
      onFeedback: (view, rating) => this.feedback(view, rating),
      onClearDoc: () => this.docs.select(null),
      onModelChange: (id) => this.models.remember(this.currentSessionId, id),
    });
    this.models = new ModelChoice(this.user.userId);
    this.documents = new DocumentsController(this.docs, this.toasts);
    this.limits = new LimitNotices(this.chat, this.quota);

    this.connection = new Connection(this.config.socketUrl, {
      onServerEvent: (name, payload) => this.onServerEvent(name, payload),
      onState: (state) => this.onConnectionState(state),
      onReconnected: () => this.resumeAll(),
      onUnauthorized: () => this.showLogin('Your sign-in has expired. Please sign in again.'),
    });
    window.addEventListener('hashchange', this.onHashChange);
    document.addEventListener('keydown', this.onKeyDown);

    this.sessions.reload();
    this.loadModels();
    this.refreshQuota();
    this.documents.refresh();
    this.route();
    this.findRunningStreams();
  }

  /** The model picker's choices; without them the picker stays hidden and questions use the default model. */
  async loadModels() {
    try {
      this.models.setOffered(await api.models());
      this.chat.setModels(this.models.models, this.models.forSession(this.currentSessionId));
    } catch {
      this.chat.setModels([], null);
    }
  }

  toggleSidebar(open) {
    this.shell.classList.toggle('sidebar-open', open);
  }

  onConnectionState(state) {
    this.connView.render(state);
    if (state === ConnectionState.CONNECTED) this.resumeAll(true);
  }

  // ---------------------------------------------------------------- routing

  route() {
    const m = /^#\/s\/([^/?#]+)/.exec(location.hash);
    const id = m ? decodeURIComponent(m[1]) : null;
    this.toggleSidebar(false);
    this.openSession(id);
  }

  /** @param {boolean} quiet re-render in place (after an answer), without the loading state */
  async openSession(id, quiet = false) {
    const token = ++this.viewToken;
    this.currentSessionId = id;
    this.loadedSessionId = undefined;
    this.sessions.setActive(id);
    this.chat.selectedModel = this.models.forSession(id);
    if (!quiet) this.chat.clearNotice();
    for (const entry of this.tracker.all()) entry.view = null;
    if (!id) {
      this.titleEl.textContent = 'New chat';
      this.chat.showWelcome(this.user.userId);
      this.chat.setBusy(false);
      this.chat.focusComposer();
      return;
    }
    if (!quiet) {
      // Not "New chat" while the session loads: the listed title, or nothing until the session answers.
      this.titleEl.textContent = this.sessions.titleOf(id) || '';
      this.chat.showLoading();
    }
    let session = null;
    try {
      session = await api.session(id);
    } catch (e) {
      if (token !== this.viewToken) return;
      if (!(e instanceof ApiError && e.status === 404 && this.liveEntriesOf(id).length > 0)) {
        if (e.status === 401) return this.showLogin('Your sign-in has expired. Please sign in again.');
        this.toasts.show({ kind: 'error', message: e.status === 404 ? 'That conversation does not exist any more.' : e.message, timeoutMs: 6000 });
        location.hash = '#/';
        return;
      }
    }
    if (token !== this.viewToken) return;
    this.loadedSessionId = id;
    const live = this.liveEntriesOf(id);
    this.titleEl.textContent = session?.title || live[0]?.question || 'Conversation';
    if (session) this.chat.renderSession(session);
    else this.chat.renderSession({ messages: [] });
    for (const entry of live) this.attachLiveView(entry);
    this.chat.setBusy(live.length > 0);
  }

  /** Shows a running answer of the open session (after a reload, a session switch or a retry). */
  attachLiveView(entry) {
    if (entry.kind === 'retry' && this.chat.lastAnswer) {
      entry.view = this.chat.lastAnswer;
      entry.view.showThinking();
    } else {
      entry.userEl = this.chat.appendUser(entry.question || '…');
      entry.view = this.chat.appendLiveAnswer();
    }
    if (entry.renderer.text) entry.view.renderStreaming(entry.renderer.text);
    if (entry.progress) entry.view.showProgress(entry.progress);
  }

  liveEntriesOf(sessionId) {
    return this.tracker.all().filter((e) => e.sessionId && e.sessionId === sessionId);
  }

  liveEntryOfCurrentSession() {
    return this.tracker.all().find((e) => e.view && !e.finished) || null;
  }

  async refreshCurrentSession() {
    if (this.currentSessionId && this.liveEntriesOf(this.currentSessionId).length === 0) {
      const keepScroll = this.chat.scroller.scrollTop;
      await this.openSession(this.currentSessionId, true);
      this.chat.scroller.scrollTop = Math.max(keepScroll, this.chat.scroller.scrollTop);
    }
  }

  // ---------------------------------------------------------------- asking

  newEntry(fields) {
    const entry = { clientRequestId: randomId(), streamId: null, sessionId: null, kind: 'new', view: null, ...fields };
    entry.renderer = new StreamRenderer((text, lastSeq) => this.onStreamFlush(entry, text, lastSeq), fields.seed);
    return this.tracker.add(entry);
  }

  async send(text) {
    if (this.liveEntryOfCurrentSession()) return;
    this.chat.clearNotice();
    const sessionId = this.currentSessionId;
    const entry = this.newEntry({ sessionId, question: text, docId: this.selectedDoc?.docId || null,
      model: this.chat.selectedModel, mode: this.chat.deepResearch ? 'deep_research' : null });
    entry.userEl = this.chat.appendUser(text);
    entry.view = this.chat.appendLiveAnswer();
    this.chat.composerText = '';
    this.chat.setBusy(true);
    this.saveStreams();
    try {
      const accepted = await api.newChat({ sessionId, message: text, docId: entry.docId, clientRequestId: entry.clientRequestId,
        model: entry.model, mode: entry.mode });
      this.tracker.bind(entry.clientRequestId, accepted.streamId, accepted.sessionId);
      if (!entry.sessionId) entry.sessionId = accepted.sessionId;
      this.models.remember(accepted.sessionId, entry.model);
      if (!sessionId && this.currentSessionId === null && entry.view) {
        // The first question made the session: show it in the URL without reloading the view.
        this.currentSessionId = accepted.sessionId;
        history.replaceState(null, '', `#/s/${encodeURIComponent(accepted.sessionId)}`);
        this.titleEl.textContent = text.slice(0, 80);
        this.sessions.touch(accepted.sessionId, text.slice(0, 80));
        this.sessions.setActive(accepted.sessionId);
      }
      this.saveStreams();
      if (entry.stopRequested) this.stop(entry);
    } catch (e) {
      if (entry.finished) return;
      this.tracker.remove(entry);
      this.saveStreams();
      entry.userEl?.remove();
      entry.view?.el.remove();
      this.chat.setBusy(false);
      if (!this.chat.composerText.trim()) this.chat.composerText = text;
      this.explainFailure(e, () => this.send(text));
    }
  }

  async retryLast(view) {
    const sessionId = this.currentSessionId;
    if (!sessionId || this.liveEntryOfCurrentSession()) return;
    this.chat.clearNotice();
    // Another version, by the model picked now; a Deep Research report is retried as one.
    const mode = view.shownRoute === 'deep_research' || this.chat.deepResearch ? 'deep_research' : null;
    const entry = this.newEntry({ sessionId, kind: 'retry', question: null, view, model: this.chat.selectedModel, mode });
    const previous = view.message;
    view.showThinking();
    this.chat.setBusy(true);
    try {
      const accepted = await api.retry(sessionId, { clientRequestId: entry.clientRequestId, model: entry.model, mode: entry.mode });
      this.tracker.bind(entry.clientRequestId, accepted.streamId, accepted.sessionId);
      this.saveStreams();
    } catch (e) {
      if (entry.finished) return;
      this.tracker.remove(entry);
      if (previous) view.showStored(previous);
      this.chat.setBusy(false);
      this.explainFailure(e, () => this.retryLast(view));
    }
  }

  /** Re-runs a failed stream (contract: retry with its streamId), in the same bubbles. */
  async rerunFailed(failed) {
    const sessionId = failed.sessionId;
    if (this.currentSessionId !== sessionId || this.liveEntryOfCurrentSession()) return;
    const entry = this.newEntry({ sessionId, kind: 'rerun', question: failed.question, model: failed.model, mode: failed.mode });
    entry.userEl = failed.userEl;
    entry.view = failed.view && failed.view.el.isConnected ? failed.view : this.chat.appendLiveAnswer();
    entry.view.showThinking();
    if (this.chat.composerText.trim() === (failed.question || '').trim()) this.chat.composerText = '';
    this.chat.setBusy(true);
    try {
      const accepted = await api.retry(sessionId, { streamId: failed.streamId, clientRequestId: entry.clientRequestId,
        model: entry.model, mode: entry.mode });
      this.tracker.bind(entry.clientRequestId, accepted.streamId, accepted.sessionId);
      this.saveStreams();
    } catch (e) {
      if (entry.finished) return;
      this.tracker.remove(entry);
      entry.view.fail(e.message, '');
      this.chat.setBusy(false);
      if (e instanceof ApiError && e.status === 404 && failed.question) {
        // The failed stream expired: ask the same question again instead.
        entry.userEl?.remove();
        entry.view.el.remove();
        return this.send(failed.question);
      }
      this.explainFailure(e, () => this.rerunFailed(failed));
    }
  }

  /** A REST refusal becomes a clear message, never a silent failure. */
  explainFailure(e, retry) {
    if (!(e instanceof ApiError)) {
      this.toasts.show({ kind: 'error', message: String(e.message || e) });
      return;
    }
    if (e.status === 401) return this.showLogin('Your sign-in has expired. Please sign in again.');
    if (e.code === 'quota_exceeded') return this.limits.quotaExceeded(e.problem.quota);
    if (e.code === 'rate_limited') return this.limits.rateLimited(e.retryAfterSeconds ?? 10);
    // Too many answers running at once: the same advice as the rate limit (wait a moment, the composer keeps the text).
    if (e.code === 'too_many_streams') return this.limits.rateLimited(e.retryAfterSeconds ?? 2);
    if (e.code === 'session_full') {
      this.toasts.show({ kind: 'info', message: 'This conversation is full. Start a new conversation to keep asking.' });
      return;
    }
    if (e.code === 'stream_active') {
      this.toasts.show({ kind: 'info', message: 'An answer is still being written in this conversation. Wait for it or stop it first.' });
      return;
    }
    if (e.isNetwork) {
      this.toasts.show({ kind: 'error', id: 'send-failed', message: 'You seem to be offline. Your question is kept; send it again when the connection is back.' });
      return;
    }
    const wait = e.retryAfterSeconds ? ` Try again in ${e.retryAfterSeconds} s.` : '';
    this.toasts.show({ kind: 'error', id: 'send-failed', title: 'Could not send', message: e.message + wait, action: { label: 'Retry', run: retry } });
  }

  async stop(entry = this.liveEntryOfCurrentSession()) {
    if (!entry) return;
    entry.stopRequested = true;
    this.chat.setStopping();
    entry.view?.markStopping();
    if (!entry.streamId) return; // sent as soon as the stream id is known
    const ack = this.connection?.connected ? await this.connection.request(ClientEvents.CHAT_STOP, { streamId: entry.streamId }) : { ok: false };
    if (!ack.ok) {
      try {
        await api.stop(entry.streamId);
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 404)) this.toasts.show({ kind: 'error', message: 'Could not stop the answer: ' + e.message });
      }
    }
  }

  /**
   * Shows the rating at once and sends it after the answer's earlier ratings, so that the last click is the one
   * stored (two requests in flight could arrive in either order). A failed one is undone unless a later click
   * replaced it.
   */
  feedback(view, rating) {
    const sessionId = this.currentSessionId;
    if (view.savedFeedback === undefined) view.savedFeedback = view.message?.feedback ?? null;
    view.setFeedback(rating);
    view.feedbackSent = (view.feedbackSent || Promise.resolve()).then(async () => {
      try {
        await api.feedback(sessionId, view.messageId, rating);
        view.savedFeedback = rating;
      } catch (e) {
        if ((view.message?.feedback ?? null) === rating) view.setFeedback(view.savedFeedback);
        this.toasts.show({ kind: 'error', message: 'Could not save your feedback: ' + e.message });
      }
    });
    return view.feedbackSent;
  }

  // ---------------------------------------------------------------- socket events

  onServerEvent(name, p) {
    switch (name) {
      case ServerEvents.STREAM_START: {
        const entry = this.tracker.bind(p.clientRequestId, p.streamId, p.sessionId);
        if (entry) {
          entry.messageId = p.messageId;
          this.saveStreams();
          if (entry.stopRequested) this.stop(entry);
        } else if (p.sessionId && p.sessionId === this.currentSessionId) {
          this.adopt(p);
        }
        return;
      }
      case ServerEvents.STREAM_TOKEN: {
        const entry = this.tracker.byStreamId(p.streamId);
        if (!entry) return;
        if (entry.renderer.accept(p.seq, p.token) === 'gap') this.resumeSoon(entry);
        return;
      }
      case ServerEvents.STREAM_PROGRESS:
        return this.onProgress(p);
      case ServerEvents.STREAM_COMPLETE:
        return this.onComplete(p);
      case ServerEvents.STREAM_ERROR:
        return this.onStreamError(p);
      case ServerEvents.DOCUMENT_PROGRESS:
        return this.documents.onProgress(p);
      case ServerEvents.DOCUMENT_READY:
        return this.documents.onReady(p);
      case ServerEvents.SOCKET_ERROR:
        this.toasts.show({ kind: 'error', message: p.message || 'The connection was refused by the server.' });
        return;
      default:
    }
  }

  /** A stream of the open session started elsewhere (another tab of this user): show it live here too. */
  adopt(p) {
    const entry = this.newEntry({ clientRequestId: p.clientRequestId || randomId(), streamId: p.streamId, sessionId: p.sessionId,
      kind: 'adopted', question: null });
    entry.messageId = p.messageId;
    api.activeStreams().catch(() => []).then((list) => {
      const running = (list || []).find((s) => s.streamId === p.streamId);
      if (entry.finished || !running) return;
      entry.question = running.question ?? '';
      if (entry.sessionId === this.currentSessionId && this.loadedSessionId === this.currentSessionId && !entry.view) {
        this.attachLiveView(entry);
        this.chat.setBusy(true);
      }
    });
  }

  /**
   * Deep Research: where the iterations are. A progress event may take a `seq` of the stream's one seq space (the
   * tokens skip it): it fills that place in the renderer with no text, so the tokens after it are not held as a gap.
   * A replayed event (resume) changes nothing.
   */
  onProgress(p) {
    const entry = this.tracker.byStreamId(p.streamId);
    if (!entry || entry.finished) return;
    if (Number.isInteger(p.seq) && entry.renderer.accept(p.seq, '') === 'gap') this.resumeSoon(entry);
    if (!Number.isInteger(p.iteration)) return;
    const progress = entry.progress || (entry.progress = { of: p.of, current: 0, steps: new Map() });
    progress.steps.set(p.iteration, { phase: p.phase, title: p.title });
    if (p.iteration >= progress.current) {
      progress.current = p.iteration;
      progress.of = Math.max(p.of || 0, p.iteration);
    }
    entry.view?.showProgress(progress);
  }

  onStreamFlush(entry, text, lastSeq) {
    entry.view?.renderStreaming(text);
    if (entry.view) this.chat.scrollToEnd();
    entry.savedText = text;
    entry.savedSeq = lastSeq;
    this.saveStreamsSoon();
  }

  onComplete(p) {
    const entry = this.tracker.byStreamId(p.streamId);
    if (p.quota) this.quota.render(p.quota);
    else this.refreshQuota();
    if (!entry) {
      // Another tab of this user, or a stream that ended while this page was away.
      if (this.sessions.has(p.sessionId)) this.sessions.touch(p.sessionId);
      else this.reloadSessionsSoon();
      if (p.sessionId === this.currentSessionId) this.refreshCurrentSession();
      return;
    }
    entry.finished = true;
    entry.renderer.finish(p.content);
    this.tracker.remove(entry);
    this.saveStreams();
    const title = entry.question ? entry.question.slice(0, 80) : undefined;
    this.sessions.touch(p.sessionId, title);
    if (entry.view) {
      entry.view.finish(p);
      if (entry.progress) entry.view.showProgress(entry.progress, true);
      this.chat.setLast(entry.view);
      this.chat.scrollToEnd();
    }
    if (this.showsSessionOf(p, entry)) {
      this.chat.setBusy(this.liveEntriesOf(this.currentSessionId).length > 0);
      if (entry.kind !== 'new') this.refreshCurrentSession();
    }
  }

  /**
   * Whether a stream's answer is the conversation on screen. A new conversation's first answer can end before its 202
   * has named the session on this page (the socket's event beats the HTTP answer): its answer is on screen all the same.
   */
  showsSessionOf(p, entry) {
    return p.sessionId === this.currentSessionId
      || (this.currentSessionId === null && Boolean(entry.view?.el.isConnected));
  }

  onStreamError(p) {
    const entry = this.tracker.byStreamId(p.streamId);
    if (!entry) return;
    entry.finished = true;
    const partial = entry.renderer.text;
    this.tracker.remove(entry);
    this.saveStreams();
    const message = p.error?.message || 'The answer could not be completed.';
    const current = this.showsSessionOf(p, entry);
    if (entry.view) entry.view.fail(message, partial);
    if (current) this.chat.setBusy(this.liveEntriesOf(this.currentSessionId).length > 0);
    if (entry.kind === 'adopted') return; // the tab that asked offers the retry
    if (entry.question && current && !this.chat.composerText.trim()) this.chat.composerText = entry.question;
    const failed = { ...entry, streamId: p.streamId, sessionId: p.sessionId };
    const action = p.retryable !== false
      ? { label: 'Retry', run: () => (entry.kind === 'retry' ? this.retryLast(entry.view) : this.rerunFailed(failed)) }
      : entry.question ? { label: 'Ask again', run: () => { entry.userEl?.remove(); entry.view?.el.remove(); this.chat.composerText = ''; this.send(entry.question); } } : null;
    this.toasts.show({ kind: 'error', id: 'stream-error', title: 'The answer was interrupted', message, action });
  }

  // ---------------------------------------------------------------- resume after reload / reconnect

  /** After a reload: the server's running streams, with what this tab kept of them. */
  async findRunningStreams() {
    const saved = loadRunningStreams();
    let active = [];
    try {
      active = (await api.activeStreams()) || [];
    } catch {
      active = [];
    }
    for (const s of active) {
      if (this.tracker.byStreamId(s.streamId)) continue;
      const mine = this.tracker.all().find((e) => !e.streamId && e.question === s.question && (!e.sessionId || e.sessionId === s.sessionId));
      if (mine) {
        // A question this page sent while the list was on its way: the same stream, not another one.
        this.tracker.bind(mine.clientRequestId, s.streamId, s.sessionId);
        continue;
      }
      const kept = saved.find((x) => x.streamId === s.streamId)
        || saved.find((x) => !x.streamId && x.question && x.question === s.question);
      const seed = kept && kept.streamId === s.streamId && Number.isInteger(kept.lastSeq) ? { text: kept.text || '', lastSeq: kept.lastSeq } : undefined;
      const entry = this.newEntry({
        clientRequestId: kept?.clientRequestId || randomId(), streamId: s.streamId, sessionId: s.sessionId,
        question: s.question ?? kept?.question ?? null, kind: kept?.kind === 'retry' ? 'retry' : 'resumed', seed, needsResume: true,
        mode: kept?.mode || null, replayProgress: kept?.mode === 'deep_research',
      });
      entry.messageId = s.messageId;
      // The open session was already shown: add the running answer to it now.
      if (entry.sessionId === this.currentSessionId && this.loadedSessionId === this.currentSessionId) {
        this.attachLiveView(entry);
        this.chat.setBusy(true);
      }
    }
    this.saveStreams();
    const first = active.find((s) => this.tracker.byStreamId(s.streamId)?.kind !== 'new');
    if (first && this.currentSessionId === null && !this.liveEntryOfCurrentSession()) {
      location.hash = `#/s/${encodeURIComponent(first.sessionId)}`;
    }
    this.resumeAll(true);
  }

  resumeSoon(entry) {
    if (entry.resuming || entry.resumeTimer) return;
    entry.resumeTimer = setTimeout(() => {
      entry.resumeTimer = null;
      if (entry.renderer.hasGap && !entry.finished) this.resume(entry);
    }, RESUME_GAP_DELAY_MS);
  }

  /** chat-resume for every known stream (on connect: those found on reload; on reconnect: all). */
  resumeAll(onlyFlagged = false) {
    for (const entry of this.tracker.all()) {
      if (!entry.streamId || entry.finished) continue;
      if (onlyFlagged && !entry.needsResume) continue;
      this.resume(entry);
    }
  }

  async resume(entry) {
    if (!this.connection?.connected) {
      entry.needsResume = true;
      return;
    }
    if (entry.resuming) return;
    entry.resuming = true;
    entry.needsResume = false;
    // After a reload a Deep Research answer's phases are only in the resume log: the first resume replays it from the
    // start, so its progress events rebuild them (the tokens the seeded renderer already has are duplicates).
    const afterSeq = entry.replayProgress ? 0 : entry.renderer.lastSeq;
    const ack = await this.connection.request(ClientEvents.CHAT_RESUME, { streamId: entry.streamId, afterSeq });
    entry.resuming = false;
    if (ack.ok) entry.replayProgress = false;
    if (ack.ok || entry.finished) return;
    if (ack.status === 'unknown' || ack.error?.code === 'not_found') {
      // The stream ended long ago (or never was ours): the stored session tells the truth.
      this.tracker.remove(entry);
      this.saveStreams();
      if (entry.sessionId === this.currentSessionId) {
        this.chat.setBusy(false);
        this.refreshCurrentSession();
      }
    } else {
      entry.needsResume = true; // not connected / no ack: try again on the next connect
    }
  }

  saveStreamsSoon() {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      this.saveStreams();
    }, 100);
  }

  saveStreams() {
    saveRunningStreams(this.tracker.all());
  }

  // ---------------------------------------------------------------- sessions, documents, quota

  reloadSessionsSoon() {
    clearTimeout(this.sessionsTimer);
    this.sessionsTimer = setTimeout(() => this.sessions.reload(), 300);
  }

  async renameSession(id, title) {
    try {
      await api.renameSession(id, title);
      if (id === this.currentSessionId) this.titleEl.textContent = title;
    } catch (e) {
      this.toasts.show({ kind: 'error', message: 'Could not rename: ' + e.message });
      throw e;
    }
  }

  async deleteSession(id) {
    try {
      await api.deleteSession(id);
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 404)) {
        this.toasts.show({ kind: 'error', message: 'Could not delete: ' + e.message });
        return;
      }
    }
    for (const entry of this.liveEntriesOf(id)) this.tracker.remove(entry);
    this.saveStreams();
    this.sessions.remove(id);
    if (id === this.currentSessionId) location.hash = '#/';
    this.toasts.show({ kind: 'success', message: 'Conversation deleted.' });
  }

  async refreshQuota() {
    try {
      this.quota.render(await api.quota());
    } catch {
      /* shown on the next successful answer */
    }
  }

  async logout() {
    try {
      await api.logout();
    } catch {
      /* the cookie may already be gone */
    }
    clearRunningStreams();
    history.replaceState(null, '', location.pathname);
    this.showLogin();
  }
}

new App().boot();
