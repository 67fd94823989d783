/**
 * REST calls of the gateway (contract section 2). Every call sends the `token` cookie; errors become
 * {@link ApiError} built from the problem+json body (`code`, `detail`, extra members such as `quota`)
 * and the `Retry-After` header.
 */

const BASE = '/api/v1';

export class ApiError extends Error {
  constructor(status, problem, retryAfterSeconds) {
    super(problem?.detail || problem?.title || `Request failed (${status})`);
    this.name = 'ApiError';
    this.status = status;
    this.code = problem?.code || (status === 0 ? 'network' : 'http_' + status);
    this.problem = problem || {};
    this.retryAfterSeconds = retryAfterSeconds;
  }

  get isNetwork() {
    return this.status === 0;
  }
}

async function request(method, path, { json, form, signal } = {}) {
  const headers = { Accept: 'application/json, application/problem+json' };
  let body;
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (form) {
    body = form;
  }
  let response;
  try {
    response = await fetch(BASE + path, { method, headers, body, credentials: 'same-origin', signal });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, { detail: 'The server cannot be reached. Check your connection.' }, null);
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const retryAfter = Number.parseInt(response.headers.get('Retry-After') || '', 10);
    throw new ApiError(response.status, data, Number.isFinite(retryAfter) ? retryAfter : null);
  }
  return data;
}

const enc = encodeURIComponent;

export const api = {
  config: () => request('GET', '/config'),

  devLogin: (userId, plan) => request('POST', '/auth/dev-login', { json: { userId, plan } }),
  me: () => request('GET', '/auth/me'),
  logout: () => request('POST', '/auth/logout'),

  models: () => request('GET', '/models'),

  /** `model`: an id of {@link api.models} (absent: the default); `mode`: `deep_research` or absent. */
  newChat: ({ sessionId, message, docId, clientRequestId, model, mode }) =>
    request('POST', '/chat/new', { json: { sessionId: sessionId || undefined, message, docId: docId || undefined, clientRequestId,
      model: model || undefined, mode: mode || undefined } }),
  retry: (sessionId, { streamId, clientRequestId, model, mode } = {}) =>
    request('POST', `/chat/sessions/${enc(sessionId)}/retry`, { json: { streamId: streamId || undefined, clientRequestId,
      model: model || undefined, mode: mode || undefined } }),
  stop: (streamId) => request('POST', `/chat/streams/${enc(streamId)}/stop`),
  activeStreams: () => request('GET', '/chat/streams/active'),

  sessions: ({ limit = 20, before } = {}) => {
    const q = new URLSearchParams({ limit: String(limit) });
    if (before) q.set('before', before);
    return request('GET', `/chat/sessions?${q}`);
  },
  session: (id) => request('GET', `/chat/sessions/${enc(id)}`),
  renameSession: (id, title) => request('PATCH', `/chat/sessions/${enc(id)}`, { json: { title } }),
  deleteSession: (id) => request('DELETE', `/chat/sessions/${enc(id)}`),
  feedback: (sessionId, messageId, rating) =>
    request('POST', `/chat/sessions/${enc(sessionId)}/messages/${enc(messageId)}/feedback`, { json: { rating } }),

  documents: () => request('GET', '/documents'),
  uploadDocument: (file) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return request('POST', '/documents', { form });
  },
  deleteDocument: (docId) => request('DELETE', `/documents/${enc(docId)}`),

  quota: () => request('GET', '/quota'),
};
