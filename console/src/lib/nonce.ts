/**
 * The CSP nonce of this page, read from the script element the engine served; CodeMirror
 * needs it for the style elements it adds (EditorView.cspNonce). `nonce` stays readable
 * from script although the attribute is hidden from the DOM.
 */
export function cspNonce(): string {
  return document.querySelector<HTMLScriptElement>('script[nonce]')?.nonce ?? '';
}
