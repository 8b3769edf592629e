/**
 * The project file, cloudfn.json: everything a project deploys, declared once (as
 * wrangler.toml or serverless.yml do). Secrets never sit in it: account tokens and keys, and
 * any env value that should stay out of git, name an environment variable instead
 * (`{"env": "WX_TOKEN"}`), read when the project is loaded.
 */
import { z } from 'zod';
import { FUNCTION_NAME } from '../../functions/errors.ts';

export const PROJECT_FILE = 'cloudfn.json';

// The engine's own rules (engine/functions/errors.ts, engine/tables/names.ts).
const TABLE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** `{"env": "NAME"}`: the value is read from that environment variable. */
export const fromEnv = z.strictObject({
  env: z.string().regex(ENV_NAME, 'an environment variable name: letters, digits and _'),
});
export type FromEnv = z.infer<typeof fromEnv>;

const functionEntry = z.union([
  z.string().min(1, 'the path of a file or folder, relative to cloudfn.json'),
  z.strictObject({
    path: z.string().min(1, 'the path of a file or folder, relative to cloudfn.json'),
    timeoutMs: z.number().int().min(100).max(900_000).optional(),
    memoryMb: z.number().int().min(8).max(2048).optional(),
    env: z
      .record(
        z.string().regex(ENV_NAME, 'env names are letters, digits and _'),
        z.union([z.string(), fromEnv]),
      )
      .optional(),
  }),
]);

const field = z.looseObject({
  name: z.string().min(1),
  type: z.string().min(1),
});

const account = z.strictObject({
  token: fromEnv,
  encodingAESKey: fromEnv.optional(),
  mode: z.enum(['plain', 'compatible', 'safe']).optional(),
});

export const projectSchema = z.strictObject({
  $schema: z.string().optional(),
  accounts: z
    .record(
      z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'an AppID such as wx2c2769f8efd9abc2'),
      account,
    )
    .optional(),
  tables: z
    .record(
      z.string().regex(TABLE_NAME, 'a table name: a letter, then letters, digits and _'),
      z.strictObject({ fields: z.array(field) }),
    )
    .optional(),
  functions: z
    .record(
      z.string().regex(FUNCTION_NAME, 'a function name: a letter, then letters, digits, _ and -'),
      functionEntry,
    )
    .optional(),
  triggers: z
    .array(
      z.union([
        z.string().min(1, 'the path of a trigger definition (.json), relative to cloudfn.json'),
        z.looseObject({ name: z.string().min(1) }),
      ]),
    )
    .optional(),
});

export type ProjectFile = z.infer<typeof projectSchema>;
export type FunctionEntry = z.infer<typeof functionEntry>;
