import type { ComponentChildren } from 'preact';

/** A `table.list`: one header row (`''` heads a column of buttons), then the rows given. */
export function ListTable(props: {
  headers: ComponentChildren[];
  /** `data-list`, for the pages' tests to find the rows. */
  list?: string;
  children: ComponentChildren;
}) {
  return (
    <table class="list" data-list={props.list}>
      <thead>
        <tr>
          {props.headers.map((h) => (
            <th>{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>{props.children}</tbody>
    </table>
  );
}
