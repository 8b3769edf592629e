/**
 * CodeMirror 6 with JavaScript: its own chunk, imported only by function pages. The page's
 * CSP nonce goes to EditorView.cspNonce so the editor's style elements are allowed.
 */
import { EditorView, basicSetup } from 'codemirror';
import { javascript } from '@codemirror/lang-javascript';
import { cspNonce } from '../lib/nonce.ts';

export function createEditor(parent: HTMLElement, doc: string, onChange: (text: string) => void) {
  return new EditorView({
    doc,
    parent,
    extensions: [
      basicSetup,
      javascript(),
      EditorView.cspNonce.of(cspNonce()),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) onChange(update.state.doc.toString());
      }),
    ],
  });
}
