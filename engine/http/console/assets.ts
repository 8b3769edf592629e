import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

interface Manifest {
  files: string[];
}

export interface Asset {
  body: Buffer;
  gzip: Buffer;
  type: string;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The built console (dist/console), read once: index.html (with its nonce placeholder) and
 * the hashed assets the manifest lists, each also gzipped. Only listed files are served, so
 * no request path ever reaches the file system.
 */
export class ConsoleAssets {
  readonly index: string;
  readonly #assets = new Map<string, Asset>();

  private constructor(index: string) {
    this.index = index;
  }

  static load(dir: string): ConsoleAssets | undefined {
    const manifestPath = path.join(dir, 'manifest.json');
    if (!fs.existsSync(manifestPath)) return undefined;
    const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as Manifest;
    const loaded = new ConsoleAssets(fs.readFileSync(path.join(dir, 'index.html'), 'utf8'));
    for (const file of manifest.files) {
      const body = fs.readFileSync(path.join(dir, file));
      loaded.#assets.set(`/console/${file}`, {
        body,
        gzip: gzipSync(body),
        type: TYPES[path.extname(file)] ?? 'application/octet-stream',
      });
    }
    return loaded;
  }

  get(urlPath: string): Asset | undefined {
    return this.#assets.get(urlPath);
  }
}
