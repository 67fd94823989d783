/**
 * What this tab keeps of its running answers in sessionStorage, so a reload can show the text it had and
 * resume after the last seq it applied (the saved text always matches the saved seq). A Deep Research answer keeps
 * its `mode`: its phases are not kept here but rebuilt from the progress events a resume replays.
 */
const KEY = 'streamchat.streams';

/** @param {object[]} entries the tracker's unfinished entries */
export function saveRunningStreams(entries) {
  const list = entries.filter((e) => !e.finished).map((e) => ({
    clientRequestId: e.clientRequestId, streamId: e.streamId, sessionId: e.sessionId, question: e.question, kind: e.kind,
    text: e.savedText ?? e.renderer.text, lastSeq: e.savedSeq ?? e.renderer.lastSeq,
    mode: e.mode || (e.progress ? 'deep_research' : null),
  }));
  try {
    if (list.length) sessionStorage.setItem(KEY, JSON.stringify(list));
    else sessionStorage.removeItem(KEY);
  } catch {
    /* storage full or disabled: a resume then replays from seq 0 */
  }
}

export function loadRunningStreams() {
  try {
    const list = JSON.parse(sessionStorage.getItem(KEY) || '[]');
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

export function clearRunningStreams() {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    /* nothing kept */
  }
}
