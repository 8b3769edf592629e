import { NotFoundError, ValidationError } from '../errors.ts';

export class FunctionNotFoundError extends NotFoundError {
  constructor(name: string) {
    super(
      'E_FUNCTION_NOT_FOUND',
      `No function named "${name}". Deploy it with PUT /api/v1/functions/${name}.`,
      { function: name },
    );
  }
}

export class InvalidFunctionNameError extends ValidationError {
  constructor(name: string) {
    super(
      'E_FUNCTION_NAME_INVALID',
      `"${name}" is not a valid function name: use 1 to 64 letters, digits, "_" or "-", starting with a letter.`,
      { function: name },
    );
  }
}

export const FUNCTION_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
