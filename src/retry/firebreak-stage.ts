import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { retryBudget, type RetryBudget, type RetryBudgetOptions } from './budget.js';
import { retry, type RetryOptions, type RetryPolicy } from './retry.js';

/**
 * The retry stage of `firebreak()`: the options of {@link retry} less `name`, with `budget` a
 * {@link RetryBudget} to share or the options of the stage's own budget (which, like every stage,
 * takes the dependency's name). Without `budget` the stage gets its own `retryBudget()`.
 *
 * @example
 * ```ts
 * import { firebreak, type FirebreakRetryOptions } from 'firebreak';
 * const retryOptions: FirebreakRetryOptions = { maxAttempts: 3, budget: { ratio: 0.1 } };
 * const auth = firebreak('auth', { retry: retryOptions });
 * console.log(auth.budget?.name); // 'auth'
 * ```
 */
export type FirebreakRetryOptions = Omit<RetryOptions, 'name' | 'budget'> & {
  /** A budget to share, or the options of this stage's own. @default retryBudget() named after the dependency */
  readonly budget?: RetryBudget | Omit<RetryBudgetOptions, 'name'>;
};

const LEAVE_OUT_NAME = 'left out (every stage takes the name given to firebreak)';

/** Builds the retry stage of `firebreak(name, { retry: option })`, with its budget. */
export function buildRetryStage(name: string, option: unknown): RetryPolicy {
  if (typeof option !== 'object' || option === null || Array.isArray(option)) return retry(option as never);
  const { budget, ...rest } = option as { budget?: unknown; name?: unknown; clock?: unknown };
  if (rest.name !== undefined) throw new InvalidOptionError('retry', 'name', LEAVE_OUT_NAME, rest.name);
  return retry({ ...rest, name, budget: stageBudget(name, budget, rest.clock) } as RetryOptions);
}

function stageBudget(name: string, budget: unknown, clock: unknown): RetryBudget {
  if (typeof budget === 'object' && budget !== null && typeof (budget as Partial<RetryBudget>).tryWithdraw === 'function') {
    return budget as RetryBudget;
  }
  const given = budget === undefined ? {} : budget;
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new InvalidOptionError('retry', 'budget', 'a RetryBudget or retryBudget() options', budget);
  }
  if ('name' in given) throw new InvalidOptionError('retry', 'budget.name', LEAVE_OUT_NAME, given.name);
  try {
    return retryBudget({ clock, ...given, name } as RetryBudgetOptions);
  } catch (error) {
    if (!(error instanceof InvalidOptionError)) throw error;
    const option = error.option === 'clock' && !('clock' in given) ? 'clock' : `budget.${error.option}`;
    throw new InvalidOptionError('retry', option, error.expected, error.value);
  }
}
