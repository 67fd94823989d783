/** The dev sign-in form: a name and a plan. */
import { h } from '../dom.js';

export function renderLogin(root, { onSubmit, error }) {
  const status = h('p', { class: 'login-error', role: 'alert' }, error || '');
  const name = h('input', { id: 'login-name', name: 'userId', required: true, autocomplete: 'username', maxlength: 64,
    pattern: '[A-Za-z0-9_.\\-]{1,64}', placeholder: 'e.g. ada', title: 'Letters, digits, dot, dash or underscore' });
  const plan = h('select', { id: 'login-plan', name: 'plan' },
    h('option', { value: 'free' }, 'Free — 25 answers a month'),
    h('option', { value: 'pro' }, 'Pro — unlimited'));
  const button = h('button', { type: 'submit', class: 'btn btn-primary', id: 'login-submit' }, 'Sign in');
  const form = h('form', { class: 'login-card', id: 'login-form', novalidate: true },
    h('div', { class: 'brand brand-large' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, '◆'), 'streamchat'),
    h('p', { class: 'muted' }, 'Ask questions about your documents and watch cited answers stream in.'),
    h('label', { for: 'login-name' }, 'Your name'), name,
    h('label', { for: 'login-plan' }, 'Plan'), plan,
    button, status,
    h('p', { class: 'muted small' }, 'Development sign-in: no password needed.'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const userId = name.value.trim();
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(userId)) {
      status.textContent = 'Use 1–64 letters, digits, dots, dashes or underscores.';
      name.focus();
      return;
    }
    button.disabled = true;
    status.textContent = '';
    try {
      await onSubmit(userId, plan.value);
    } catch (e) {
      status.textContent = e.message || 'Sign-in failed.';
      button.disabled = false;
    }
  });
  root.replaceChildren(h('main', { class: 'login-screen' }, form));
  name.focus();
}
