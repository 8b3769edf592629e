export interface ConsoleManifest {
  /** Paths relative to dist/console. */
  main: string;
  css: string | null;
  files: string[];
  /** Gzip size (level 9) of each file, in bytes. */
  gzip: Record<string, number>;
  /** What the first page loads: the HTML, the entry, its static imports and CSS. */
  firstPage: string[];
  firstPageGzip: number;
}
export const CONSOLE_OUT: string;
export const NONCE_PLACEHOLDER: string;
export function buildConsole(options?: {
  outdir?: string;
  minify?: boolean;
}): Promise<ConsoleManifest>;
