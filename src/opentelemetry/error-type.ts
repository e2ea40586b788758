/** The value of `error.type` for any error beyond the bound, or with no name or code. */
export const OTHER = '_OTHER';

/** How many distinct `error.type` values one meter provider records before using {@link OTHER}. */
export const MAX_ERROR_TYPES = 32;

const CODE = /^[A-Z][A-Z0-9_]{1,63}$/;
const NAME = /^[A-Za-z_$][\w$.]{0,63}$/;

/**
 * The `error.type` values of one meter provider: an error's `code` when it has one shaped like
 * a code (`ERR_TIMEOUT`, `ECONNRESET`, `UND_ERR_SOCKET`), else its `name` (`TypeError`,
 * `AbortError`), else `_OTHER`. At most {@link MAX_ERROR_TYPES} distinct values are ever given
 * out; later newcomers are `_OTHER`, so no error can grow the number of series.
 */
export class ErrorTypes {
  readonly #seen = new Set<string>();

  of(error: unknown): string {
    const type = rawType(error);
    if (this.#seen.has(type)) return type;
    if (type === OTHER || this.#seen.size >= MAX_ERROR_TYPES) return OTHER;
    this.#seen.add(type);
    return type;
  }
}

function rawType(error: unknown): string {
  if (typeof error !== 'object' || error === null) return OTHER;
  const { code, name } = error as { code?: unknown; name?: unknown };
  if (typeof code === 'string' && CODE.test(code)) return code;
  if (typeof name === 'string' && NAME.test(name)) return name;
  return OTHER;
}
