/**
 * How values are stored: the Rust crate's JSON form of a value and of snapshot params
 * ({@link to.clasp.journal.internal.codec.RustJson}), the exact CBOR form that keeps what JSON
 * loses ({@link to.clasp.journal.internal.codec.ExactCbor}), the choice between the two
 * ({@link to.clasp.journal.internal.codec.ValueCodec}) and the microsecond clock.
 *
 * <p>Internal: not part of the library's API. Its types are public only so that the
 * other packages of the library can use them; they may change in any release, and code outside
 * the library should not use them.
 */
package to.clasp.journal.internal.codec;
