/**
 * The notices shown instead of a failed send when a limit is reached: the monthly free-tier quota (with
 * the reset date) and the per-minute rate limit (with a live countdown to when a question can be sent).
 */
import { formatDate } from '../dom.js';

export class LimitNotices {
  /**
   * @param {import('../views/chat.js').ChatView} chat
   * @param {import('../views/status-bar.js').QuotaView} quota
   */
  constructor(chat, quota) {
    this.chat = chat;
    this.quota = quota;
    this.timer = null;
  }

  /** 429 quota_exceeded; `problemQuota` is the problem's `quota` member when present. */
  quotaExceeded(problemQuota) {
    if (problemQuota) this.quota.render(problemQuota);
    const q = problemQuota || this.quota.quota || {};
    const when = q.resetsAt ? `on ${formatDate(q.resetsAt, { dateStyle: 'long' })}` : 'next month';
    const count = q.limit != null ? `all ${q.limit}` : 'all your';
    this.chat.showNotice('quota', `You have used ${count} free answers this month. You can ask again ${when}.`);
  }

  /** 429 rate_limited with its Retry-After. */
  rateLimited(seconds) {
    this.stop();
    const until = Date.now() + seconds * 1000;
    const tick = () => {
      const left = Math.ceil((until - Date.now()) / 1000);
      if (left <= 0) {
        this.chat.showNotice('info', 'You can send again now.');
        this.timer = setTimeout(() => this.chat.clearNotice(), 4000);
        return;
      }
      this.chat.showNotice('rate', `You are sending questions too quickly. Try again in ${left} s.`);
      this.timer = setTimeout(tick, 1000);
    };
    tick();
  }

  stop() {
    clearTimeout(this.timer);
    this.timer = null;
  }
}
