// An incremental Server-Sent Events parser (the WHATWG "event stream interpretation" rules):
// lines end with CRLF, LF or CR (a CRLF split across two chunks is one line end), `data:` lines of one event
// are joined with "\n", a leading space after the colon is dropped, comment lines (":" first) are ignored,
// and an event is dispatched at a blank line. UTF-8 split across chunks is decoded correctly (TextDecoder in
// stream mode). It keeps at most one unfinished line between chunks, so memory is bounded by the longest line.
export class SseParser {
  #decoder = new TextDecoder('utf-8');
  #pending = '';           // the unfinished line carried over from the previous chunk
  #lastWasCR = false;      // the previous chunk ended with CR: a leading LF in the next one belongs to it
  #data = [];
  #event = '';
  #id = null;
  #onEvent;

  /** @param {(event: {event: string, data: string, id: string|null}) => void} onEvent */
  constructor(onEvent) {
    this.#onEvent = onEvent;
  }

  /** Feeds one chunk of bytes (Uint8Array) or text. */
  push(chunk) {
    let text = typeof chunk === 'string' ? chunk : this.#decoder.decode(chunk, { stream: true });
    if (this.#lastWasCR && text.startsWith('\n')) {
      text = text.slice(1);
    }
    this.#lastWasCR = false;
    let start = 0;
    const length = text.length;
    while (start < length) {
      const lf = text.indexOf('\n', start);
      const cr = text.indexOf('\r', start);
      let end;
      if (lf < 0 && cr < 0) {
        this.#pending += text.slice(start);
        return;
      }
      if (cr < 0 || (lf >= 0 && lf < cr)) {
        end = lf;
      } else {
        end = cr;
      }
      const line = this.#pending + text.slice(start, end);
      this.#pending = '';
      this.#line(line);
      if (end === cr) {
        if (end + 1 < length) {
          start = text.charCodeAt(end + 1) === 10 ? end + 2 : end + 1;
        } else {
          this.#lastWasCR = true;
          start = end + 1;
        }
      } else {
        start = end + 1;
      }
    }
  }

  /** The stream ended: an event without its closing blank line is discarded, as the spec says. */
  end() {
    const tail = this.#decoder.decode();
    if (tail) {
      this.#pending += tail;
    }
    this.#pending = '';
    this.#data = [];
    this.#event = '';
  }

  #line(line) {
    if (line.length === 0) {
      if (this.#data.length > 0) {
        const event = { event: this.#event || 'message', data: this.#data.join('\n'), id: this.#id };
        this.#data = [];
        this.#event = '';
        this.#onEvent(event);
      } else {
        this.#event = '';
      }
      return;
    }
    if (line.charCodeAt(0) === 58 /* ':' */) {
      return; // comment, e.g. ": keepalive"
    }
    const colon = line.indexOf(':');
    let field;
    let value;
    if (colon < 0) {
      field = line;
      value = '';
    } else {
      field = line.slice(0, colon);
      value = line.charCodeAt(colon + 1) === 32 ? line.slice(colon + 2) : line.slice(colon + 1);
    }
    switch (field) {
      case 'data':
        this.#data.push(value);
        break;
      case 'event':
        this.#event = value;
        break;
      case 'id':
        if (!value.includes('\0')) {
          this.#id = value;
        }
        break;
      default:
        break; // retry and unknown fields do not matter to a relay
    }
  }
}
