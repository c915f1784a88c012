/** Turns anything thrown by the engine into the error an API result carries. */
import { isConfidantError } from './confidantError.js';

export interface ApiError {
  code: string;
  message: string;
  hint?: string;
}

/** A ConfidantError keeps its code, location and hint; anything else is an internal error. */
export function apiErrorOf(
  error: unknown,
  internalMessage = 'Internal error; see the log for details.',
): ApiError {
  if (isConfidantError(error)) {
    const where = error.location;
    return {
      code: error.code,
      message: where ? `${where}: ${error.message}` : error.message,
      ...(error.options.hint ? { hint: error.options.hint } : {}),
    };
  }
  return { code: 'internal', message: internalMessage };
}
