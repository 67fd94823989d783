/** Toast notifications: an aria-live region; each toast may carry one action button (e.g. Retry). */
import { h } from '../dom.js';

export class Toasts {
  constructor(root) {
    this.root = root;
  }

  /**
   * @param {{message:string, title?:string, kind?:'info'|'error'|'success', action?:{label:string, run:() => void}, timeoutMs?:number, id?:string}} t
   */
  show({ message, title, kind = 'info', action, timeoutMs = kind === 'error' ? 0 : 5000, id }) {
    if (id) this.root.querySelector(`[data-toast-id="${CSS.escape(id)}"]`)?.remove();
    const close = () => toast.remove();
    const toast = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status', dataset: id ? { toastId: id } : {} },
      h('div', { class: 'toast-body' },
        title ? h('strong', { class: 'toast-title' }, title) : null,
        h('span', { class: 'toast-message' }, message)),
      action ? h('button', { type: 'button', class: 'btn btn-small toast-action', onclick: () => { close(); action.run(); } }, action.label) : null,
      h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Dismiss', onclick: close }, '×'));
    this.root.append(toast);
    if (timeoutMs > 0) setTimeout(close, timeoutMs);
    return close;
  }
}
