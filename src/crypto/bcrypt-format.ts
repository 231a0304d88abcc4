/** Standard bcrypt in modular crypt format: `$2a$`, `$2b$` or `$2y$`, two cost digits, salt and hash. */
export const BCRYPT_PATTERN = /^\$2[aby]\$(\d{2})\$[./A-Za-z0-9]{53}$/;
/** What a bcrypt hash starts with, well formed or not. */
export const BCRYPT_PREFIX = /^\$2[aby]\$/;
/** bcrypt reads only the first 72 bytes of its input. */
export const BCRYPT_INPUT_BYTES = 72;
