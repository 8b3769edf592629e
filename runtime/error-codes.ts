/**
 * The runtime's refusals that are EngineErrors, with their statuses (docs/errors.md,
 * "Functions and runtime"). Failures of a run are not: they travel as data in the outcome,
 * with the codes of RUNTIME_CODES (runtime/errors.ts).
 */
export const RUNTIME_ERRORS = {
  E_FUNCTION_BUILD: 400,
} as const;
