import type { ComponentChildren } from 'preact';

/**
 * A page's header: its title (after a link back to `parent`'s list when it is one thing of
 * a section, `#/<parent>`), then whatever the page shows beside it.
 */
export function PageHead(props: {
  title: ComponentChildren;
  parent?: { section: string; label: string };
  children?: ComponentChildren;
}) {
  return (
    <header class="page-head">
      {props.parent ? (
        <h1>
          <a href={`#/${props.parent.section}`}>{props.parent.label}</a> / {props.title}
        </h1>
      ) : (
        <h1>{props.title}</h1>
      )}
      {props.children}
    </header>
  );
}
