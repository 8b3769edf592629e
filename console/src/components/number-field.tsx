/** A labelled whole-number box whose text is kept as typed (the form checks it on save). */
export function NumberField(props: {
  label: string;
  min: number;
  max: number;
  value: string;
  onInput: (value: string) => void;
}) {
  return (
    <label>
      {props.label}
      <input
        type="number"
        min={props.min}
        max={props.max}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
    </label>
  );
}
