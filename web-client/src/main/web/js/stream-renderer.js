/**
 * Live answers. {@link StreamRenderer} applies `chat-stream-token` events of one stream in `seq` order,
 * drops duplicates (a seq may arrive twice: live and replayed by `chat-resume`), holds early ones until
 * the gap is filled, and touches the DOM at most once per animation frame however fast tokens come.
 * {@link StreamTracker} matches server events to this tab's requests by `clientRequestId` (events may
 * arrive before the REST 202) and then by `streamId`.
 */

const MAX_HELD_TOKENS = 10000;
const HIDDEN_TAB_FLUSH_MS = 250;

export class StreamRenderer {
  /**
   * @param {(text: string, lastSeq: number) => void} onFlush called with the full text, once per frame at most
   */
  constructor(onFlush, { text = '', lastSeq = 0 } = {}) {
    this.onFlush = onFlush;
    this.text = text;
    this.lastSeq = lastSeq;
    this.held = new Map();
    this.frame = null;
    this.timer = null;
    this.finished = false;
  }

  /** @returns {'applied'|'duplicate'|'gap'} */
  accept(seq, token) {
    if (this.finished || !Number.isInteger(seq) || seq <= this.lastSeq) return 'duplicate';
    if (seq > this.lastSeq + 1) {
      if (!this.held.has(seq) && this.held.size < MAX_HELD_TOKENS) this.held.set(seq, token);
      return 'gap';
    }
    this.text += token ?? '';
    this.lastSeq = seq;
    while (this.held.has(this.lastSeq + 1)) {
      const next = this.lastSeq + 1;
      this.text += this.held.get(next) ?? '';
      this.held.delete(next);
      this.lastSeq = next;
    }
    this.schedule();
    return 'applied';
  }

  get hasGap() {
    return this.held.size > 0;
  }

  schedule() {
    if (this.frame !== null || this.timer !== null) return;
    if (document.hidden) {
      // Background tabs get no animation frames; keep the text close to current at a low rate.
      this.timer = setTimeout(() => this.flush(), HIDDEN_TAB_FLUSH_MS);
    } else {
      this.frame = requestAnimationFrame(() => this.flush());
    }
  }

  flush() {
    this.cancel();
    this.onFlush(this.text, this.lastSeq);
  }

  /** The authoritative final text replaces whatever was streamed. */
  finish(finalText) {
    this.finished = true;
    if (typeof finalText === 'string') this.text = finalText;
    this.held.clear();
    this.flush();
  }

  cancel() {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    if (this.timer !== null) clearTimeout(this.timer);
    this.frame = null;
    this.timer = null;
  }

  dispose() {
    this.finished = true;
    this.cancel();
  }
}

export class StreamTracker {
  constructor() {
    this.byRequest = new Map();
    this.byStream = new Map();
  }

  /** A request this tab is about to send (or a stream found on reload). */
  add(entry) {
    if (entry.clientRequestId) this.byRequest.set(entry.clientRequestId, entry);
    if (entry.streamId) this.byStream.set(entry.streamId, entry);
    return entry;
  }

  /** Binds a stream id to a request of this tab; returns the entry or null if it is not ours. */
  bind(clientRequestId, streamId, sessionId) {
    const entry = (clientRequestId && this.byRequest.get(clientRequestId)) || (streamId && this.byStream.get(streamId));
    if (!entry) return null;
    if (streamId && !entry.streamId) {
      entry.streamId = streamId;
      this.byStream.set(streamId, entry);
    }
    if (sessionId && !entry.sessionId) entry.sessionId = sessionId;
    return entry;
  }

  byStreamId(streamId) {
    return this.byStream.get(streamId) || null;
  }

  all() {
    return [...new Set([...this.byRequest.values(), ...this.byStream.values()])];
  }

  remove(entry) {
    if (!entry) return;
    entry.renderer?.dispose();
    if (entry.clientRequestId) this.byRequest.delete(entry.clientRequestId);
    if (entry.streamId) this.byStream.delete(entry.streamId);
  }

  clear() {
    for (const entry of this.all()) this.remove(entry);
  }
}
