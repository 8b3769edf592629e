import { useEffect, useRef } from 'preact/hooks';
import { t } from '../i18n/index.ts';

interface EditorHandle {
  destroy(): void;
  state: { doc: { toString(): string } };
  dispatch(spec: { changes: { from: number; to: number; insert: string } }): void;
}

/** The code editor; `value` replaces the text when it changes from outside (a new load). */
export function CodeEditor({
  value,
  onChange,
}: {
  value: string;
  onChange: (text: string) => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  const view = useRef<EditorHandle | null>(null);
  const changed = useRef(onChange);
  changed.current = onChange;
  useEffect(() => {
    let live = true;
    void import('./editor-view.ts').then(({ createEditor }) => {
      if (!live || !box.current) return;
      box.current.textContent = '';
      view.current = createEditor(box.current, value, (text) => changed.current(text));
    });
    return () => {
      live = false;
      view.current?.destroy();
      view.current = null;
    };
    // The editor is made once; later `value`s are applied by the effect below.
  }, []);
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value)
      v.dispatch({ changes: { from: 0, to: v.state.doc.toString().length, insert: value } });
  }, [value]);
  return (
    <div class="editor" ref={box}>
      <p class="muted">{t('editor.loading')}</p>
    </div>
  );
}
