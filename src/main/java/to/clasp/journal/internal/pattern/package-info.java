/**
 * What the backends read from a compiled {@link to.clasp.journal.AddressPattern} beyond its
 * public surface: how a scan may be narrowed ({@link to.clasp.journal.internal.pattern.Pushdown}).
 *
 * <p>Internal: not part of the library's API. Its types are public only so that the
 * other packages of the library can use them; they may change in any release, and code outside
 * the library should not use them.
 */
package to.clasp.journal.internal.pattern;
