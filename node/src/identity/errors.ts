/** Errors of the identity module (keystore and password), each with a stable `name`. */

export class KeystoreExistsError extends Error {
  override name = "KeystoreExistsError";
}
export class KeystoreMissingError extends Error {
  override name = "KeystoreMissingError";
}
export class WrongPasswordError extends Error {
  override name = "WrongPasswordError";
}
export class PasswordRequiredError extends Error {
  override name = "PasswordRequiredError";
}
/** A new keystore's password is shorter than MIN_PASSWORD_LENGTH. */
export class PasswordTooShortError extends Error {
  override name = "PasswordTooShortError";
}
/** A scrypt cost below MIN_SCRYPT_N without the test-only escape, or not a power of two. */
export class WeakScryptError extends Error {
  override name = "WeakScryptError";
}
/** A key file to write exists already (export never overwrites). */
export class KeyFileExistsError extends Error {
  override name = "KeyFileExistsError";
}
/** A key file to read is missing, too large or not an Ethereum JSON keystore. */
export class KeyFileInvalidError extends Error {
  override name = "KeyFileInvalidError";
}
/** `key rotate --finish` without a started rotation (no next keystore). */
export class NoRotationError extends Error {
  override name = "NoRotationError";
}
