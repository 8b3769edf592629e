/**
 * `cloudfn pull`: a project from what an engine holds. Functions come as the code that runs
 * (the bundle the engine keeps: the original source is not kept), tables with their fields,
 * triggers as definitions, accounts with their modes. No secret is written: tokens, keys,
 * env values and webhook secrets become `{"env": "NAME"}` placeholders, listed in
 * .env.example for the user to fill in (as .env or the environment).
 */
import { PROJECT_FILE } from './schema.ts';
import type { EngineState } from './state.ts';

/** An environment variable name from parts: `wx2c…`, `token` → WX2C…_TOKEN. */
export function envName(...parts: string[]): string {
  return parts
    .join('_')
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .toUpperCase()
    .replace(/^(\d)/, '_$1');
}

// What the engine adds to a stored trigger, and secrets, which stay on the engine.
const NOT_DEFINITION = new Set(['key', 'hook_path', 'key_hint', 'created_at', 'updated_at']);

/** The files of the pulled project, by path relative to its root. */
export function pulledFiles(state: EngineState): Record<string, string> {
  const files: Record<string, string> = {};
  const placeholders: string[] = [];
  const secret = (name: string, what: string) => {
    placeholders.push(`# ${what}\n${name}=`);
    return { env: name };
  };

  const accounts: Record<string, unknown> = {};
  for (const a of state.accounts.values()) {
    accounts[a.appId] = {
      token: secret(envName(a.appId, 'TOKEN'), `Token of ${a.appId} (服务器配置)`),
      ...(a.hasEncodingAESKey
        ? {
            encodingAESKey: secret(
              envName(a.appId, 'AES_KEY'),
              `EncodingAESKey of ${a.appId} (服务器配置)`,
            ),
          }
        : {}),
      mode: a.mode,
    };
  }

  const tables: Record<string, unknown> = {};
  for (const [name, fields] of state.tables) tables[name] = { fields };

  const functions: Record<string, unknown> = {};
  for (const f of state.functions.values()) {
    const file = `functions/${f.name}.js`;
    files[file] = f.code.endsWith('\n') ? f.code : `${f.code}\n`;
    const env = Object.fromEntries(
      [...f.env]
        .sort()
        .map((key) => [key, secret(envName(f.name, key), `env ${key} of function ${f.name}`)]),
    );
    functions[f.name] = {
      path: file,
      timeoutMs: f.timeoutMs,
      memoryMb: f.memoryMb,
      ...(f.env.length ? { env } : {}),
    };
  }

  const triggers: string[] = [];
  for (const [name, stored] of state.triggers) {
    const definition = Object.fromEntries(
      Object.entries(stored).filter(([key]) => !NOT_DEFINITION.has(key)),
    );
    if (Array.isArray(definition.actions)) {
      // A webhook's secret stays on the engine: left out, a redeploy keeps comparing equal.
      definition.actions = definition.actions.map((action: unknown) => {
        if (action === null || typeof action !== 'object') return action;
        if (!('secret' in action) && !('secret_hint' in action)) return action;
        const { secret: _secret, secret_hint: _hint, ...rest } = action as Record<string, unknown>;
        return rest;
      });
    }
    const file = `triggers/${name}.json`;
    files[file] = `${JSON.stringify(definition, null, 2)}\n`;
    triggers.push(file);
  }

  files[PROJECT_FILE] = `${JSON.stringify(
    {
      ...(Object.keys(accounts).length ? { accounts } : {}),
      ...(Object.keys(tables).length ? { tables } : {}),
      ...(Object.keys(functions).length ? { functions } : {}),
      ...(triggers.length ? { triggers } : {}),
    },
    null,
    2,
  )}\n`;
  files['.env.example'] =
    `# The secrets ${PROJECT_FILE} reads, without their values (they never leave the engine).\n# Copy to .env (kept out of git) and fill in, or set them in the environment.\n${placeholders.join('\n')}\n`;
  return files;
}
