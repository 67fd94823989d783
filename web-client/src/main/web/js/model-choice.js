/**
 * The models this deployment offers (`GET /api/v1/models`) and which one each conversation uses. The choice is
 * remembered per user and conversation in localStorage (`streamchat.model.<userId>.<sessionId>`); a new
 * conversation starts with the model last picked, else the deployment's default. A remembered model that is no
 * longer offered falls back the same way.
 */
const PREFIX = 'streamchat.model.';
const LAST = '_last';

/** How a version names what wrote it: `openai:gpt-4o-mini`, `local`; null when unknown. */
export function modelLabel(provider, model) {
  if (!provider) return null;
  return model ? `${provider}:${model}` : provider;
}

export class ModelChoice {
  constructor(userId) {
    this.userId = userId;
    this.defaultId = null;
    this.models = [];
  }

  /** @param {{default:string, models:{id:string, provider:string, model:string|null}[]}} offered */
  setOffered(offered) {
    this.models = Array.isArray(offered?.models) ? offered.models : [];
    this.defaultId = offered?.default ?? this.models[0]?.id ?? null;
  }

  isOffered(id) {
    return !!id && this.models.some((m) => m.id === id);
  }

  /** The model of a conversation (null sessionId: a new one). */
  forSession(sessionId) {
    const stored = sessionId ? this.read(sessionId) : null;
    if (this.isOffered(stored)) return stored;
    const last = this.read(LAST);
    if (this.isOffered(last)) return last;
    return this.defaultId;
  }

  /** Remembers the pick for this conversation (when it has an id) and as the one new conversations start with. */
  remember(sessionId, id) {
    if (!id) return;
    if (sessionId) this.write(sessionId, id);
    this.write(LAST, id);
  }

  key(name) {
    return `${PREFIX}${this.userId}.${name}`;
  }

  read(name) {
    try {
      return localStorage.getItem(this.key(name));
    } catch {
      return null; // storage disabled: the choice lasts as long as the page
    }
  }

  write(name, id) {
    try {
      localStorage.setItem(this.key(name), id);
    } catch {
      /* storage full or disabled */
    }
  }
}
