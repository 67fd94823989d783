/**
 * The quota badge (free plan: `used / limit` and the reset date; pro: unlimited, its replies are not counted) and the
 * connection state pill.
 */
import { h, formatDate } from '../dom.js';
import { ConnectionState } from '../events.js';

export class QuotaView {
  constructor(root) {
    this.root = root;
    this.quota = null;
  }

  render(quota) {
    if (!quota) return;
    this.quota = quota;
    const unlimited = quota.limit === null || quota.limit === undefined;
    const used = Number(quota.used) || 0;
    const pct = unlimited ? 0 : Math.min(100, Math.round((used / Math.max(1, quota.limit)) * 100));
    this.root.replaceChildren(...[
      h('div', { class: 'quota-line' },
        h('span', { class: 'quota-label' }, unlimited ? 'Pro plan' : 'Free answers'),
        h('span', { class: 'quota-count', id: 'quota-count' }, unlimited ? 'unlimited' : `${used} / ${quota.limit}`)),
      unlimited ? null : h('div', { class: 'quota-meter', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': quota.limit, 'aria-valuenow': used },
        h('div', { class: 'quota-fill' + (pct >= 100 ? ' full' : pct >= 80 ? ' high' : ''), style: `width:${pct}%` })),
      quota.resetsAt ? h('div', { class: 'quota-reset muted small', id: 'quota-reset' }, `Resets ${formatDate(quota.resetsAt)}`) : null].filter(Boolean));
  }
}

const LABELS = {
  [ConnectionState.CONNECTING]: 'Connecting…',
  [ConnectionState.CONNECTED]: 'Connected',
  [ConnectionState.RECONNECTING]: 'Reconnecting…',
  [ConnectionState.OFFLINE]: 'Offline',
};

export class ConnectionView {
  constructor(root) {
    this.root = root;
    this.render(ConnectionState.CONNECTING);
  }

  render(state) {
    this.root.dataset.state = state;
    this.root.setAttribute('title', state === ConnectionState.OFFLINE ? 'No network: answers resume when it returns' : LABELS[state]);
    this.root.replaceChildren(h('span', { class: 'dot', 'aria-hidden': 'true' }), h('span', { class: 'conn-label' }, LABELS[state] || state));
  }
}
