/** Documents: upload, delete, the list with statuses, indexing progress (`document-progress`) and the `document-ready` notification. */
import { api } from '../api.js';

export class DocumentsController {
  /**
   * @param {import('../views/documents.js').DocumentsView} view
   * @param {import('../views/toasts.js').Toasts} toasts
   */
  constructor(view, toasts) {
    this.view = view;
    this.toasts = toasts;
  }

  async refresh() {
    try {
      this.view.set(await api.documents());
    } catch {
      this.view.set([]);
    }
  }

  async upload(file) {
    if (!/\.(txt|md|pdf)$/i.test(file.name)) {
      this.toasts.show({ kind: 'error', message: 'Only .txt, .md and .pdf files can be uploaded.' });
      return;
    }
    try {
      const { docId } = await api.uploadDocument(file);
      this.view.upsert({ docId, title: file.name, status: 'indexing' });
      this.toasts.show({ kind: 'info', message: `Indexing “${file.name}”…` });
    } catch (e) {
      const message = e.code === 'payload_too_large' ? 'That file is larger than 10 MB.'
        : e.code === 'unsupported_media_type' ? 'Only .txt, .md and .pdf files can be uploaded.' : e.message;
      this.toasts.show({ kind: 'error', title: 'Upload failed', message });
    }
  }

  async remove(docId) {
    try {
      await api.deleteDocument(docId);
      this.view.remove(docId);
    } catch (e) {
      this.toasts.show({ kind: 'error', message: 'Could not delete the document: ' + e.message });
    }
  }

  /** `document-progress {docId, phase, percent}`: shown in the list until `document-ready`. */
  onProgress(p) {
    if (this.view.find(p.docId)?.status === 'ready') return;
    this.view.upsert({ docId: p.docId, status: 'indexing', phase: p.phase, percent: p.percent });
  }

  /** `document-ready {docId, status}` */
  onReady(p) {
    this.view.upsert({ docId: p.docId, status: p.status });
    const name = this.view.find(p.docId)?.title || 'Your document';
    if (p.status === 'ready') {
      this.toasts.show({ kind: 'success', title: 'Document ready', message: `“${name}” is indexed. Ask about it!`,
        action: { label: 'Ask about it', run: () => this.view.select(this.view.find(p.docId)) } });
    } else {
      this.toasts.show({ kind: 'error', title: 'Indexing failed', message: `“${name}” could not be indexed.` });
    }
    this.refresh();
  }
}
