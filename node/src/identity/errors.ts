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
