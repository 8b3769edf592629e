/** A hash router: `#/tables/orders` → ['tables', 'orders']. Links are plain `href="#/…"`. */
import { signal } from '@preact/signals';

const parse = () =>
  location.hash
    .replace(/^#\/?/, '')
    .split('?')[0]!
    .split('/')
    .filter(Boolean)
    .map(decodeURIComponent);

export const route = signal<string[]>(parse());
addEventListener('hashchange', () => (route.value = parse()));

export const href = (...parts: string[]) => `#/${parts.map(encodeURIComponent).join('/')}`;
export const go = (...parts: string[]) => {
  location.hash = href(...parts);
};
