import { useState } from 'preact/hooks';
import { go } from '../lib/router.ts';

/**
 * The name box in a list page's header: opens `#/<section>/<name>`, where the editor of a
 * thing not saved yet starts empty (nothing is created until it is saved there).
 */
export function NewNameForm(props: {
  section: string;
  inputName: string;
  placeholder: string;
  submitLabel: string;
}) {
  const [name, setName] = useState('');
  return (
    <form
      class="inline"
      onSubmit={(e) => {
        e.preventDefault();
        if (name.trim()) go(props.section, name.trim());
      }}
    >
      <input
        name={props.inputName}
        placeholder={props.placeholder}
        value={name}
        onInput={(e) => setName(e.currentTarget.value)}
      />
      <button type="submit">{props.submitLabel}</button>
    </form>
  );
}
